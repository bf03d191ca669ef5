"""Where a class's phones find the studio: the join and board URLs, and a QR code to scan.

A phone must be able to open the URL, so `localhost` will not do. In order of preference:
1. `public_url` (the teacher's `.streamlit/secrets.toml`) or SOFTMAX_PUBLIC_URL, e.g. behind a
   proxy or a school's DNS name: used as given;
2. the host the teacher's browser used, when it is not a loopback name (the teacher opened the
   studio at its LAN address or name: phones on that network reach it the same way);
3. this machine's LAN address and the server's port (the teacher is on the server's machine).
No Streamlit here: softmax/ui/lesson.py passes in what the request says.
"""

from __future__ import annotations

import io
import ipaddress
import socket
from urllib.parse import quote, urlsplit

import segno

PUBLIC_URL_ENV = "SOFTMAX_PUBLIC_URL"
PUBLIC_URL_SECRET = "public_url"
JOIN_PATH = "join"
BOARD_PATH = "board"
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def is_loopback(host: str) -> bool:
    """`host` (a name or address, no port) only reaches this machine."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def lan_address() -> str | None:
    """This machine's address on its network (the one its default route leaves by), or None.

    Connecting a UDP socket sends nothing; it only asks the kernel which source address it
    would use."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never answered, never needed
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if is_loopback(address) else address


def base_url(
    override: str | None,
    host: str | None,
    scheme: str = "http",
    port: int = 8501,
    base_path: str = "",
) -> str:
    """The studio's root URL as a phone on the network can open it (see the module docstring).

    `host` is the request's Host header (with its port, if any); `base_path` Streamlit's
    server.baseUrlPath. Falls back to the loopback host when nothing better is known."""
    if override:
        parsed = urlsplit(override.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"a public URL starts with http:// or https://; got {override!r}")
        return override.strip().rstrip("/")
    path = "/" + base_path.strip("/") if base_path.strip("/") else ""
    if host and not is_loopback(urlsplit(f"//{host}").hostname or ""):
        return f"{scheme}://{host}{path}"
    address = lan_address()
    return f"{scheme}://{address or 'localhost'}:{port}{path}"


def join_url(base: str, code: str) -> str:
    """The student page of class `code`."""
    return f"{base}/{JOIN_PATH}?code={quote(code)}"


def board_url(base: str, code: str) -> str:
    """The class board of class `code`."""
    return f"{base}/{BOARD_PATH}?code={quote(code)}"


def qr_png(url: str, scale: int = 12) -> bytes:
    """A QR code of `url` as PNG bytes: medium error correction (a smudged projector still
    scans), a four-module quiet zone, `scale` pixels a module."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
