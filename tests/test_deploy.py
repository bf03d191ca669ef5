"""deploy/nginx-softmax.conf in a real nginx (Debian's), in front of small real HTTP servers
standing in for the replicas: sticky by cookie, spread across replicas, failing over, passing the
headers Streamlit needs. tests/e2e/test_replicas.py puts real Streamlit replicas behind it."""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
import urllib.error
from collections.abc import Iterator

import pytest
from services import NGINX, NGINX_MISSING, NGINX_SITE, NginxProxy, free_port, render_nginx_site

needs_nginx = pytest.mark.skipif(bool(NGINX_MISSING), reason=NGINX_MISSING or "")


class Replica(http.server.ThreadingHTTPServer):
    """Answers every GET with its own port and the request headers it received, as JSON."""

    def __init__(self) -> None:
        self.port = free_port()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler) -> None:
                body = json.dumps({"port": self.port, "headers": dict(handler.headers)}).encode()
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)

            def log_message(handler, *args) -> None:
                pass

        super().__init__(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def replicas() -> Iterator[list[Replica]]:
    started = [Replica() for _ in range(3)]
    yield started
    for replica in started:
        replica.stop()


@pytest.fixture
def proxy(replicas) -> Iterator[NginxProxy]:
    if NGINX_MISSING:
        pytest.skip(NGINX_MISSING)
    nginx = NginxProxy([r.port for r in replicas])
    yield nginx
    nginx.stop()


def answer(proxy: NginxProxy, cookie: str | None = None) -> tuple[dict, str]:
    """Which replica answered (its JSON) and the sticky cookie nginx set."""
    status, body, headers = proxy.get("/", {"Cookie": cookie} if cookie else None)
    assert status == 200
    return json.loads(body), headers.get("Set-Cookie", "").split(";")[0]


@needs_nginx
def test_the_shipped_configuration_passes_nginx_own_check(tmp_path):
    site = tmp_path / "softmax.conf"
    site.write_text(render_nginx_site(NGINX_SITE.read_text(), 8080, [8501, 8502], tmp_path / "a"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nevents {{}}\nhttp {{ include {site}; }}\n"
    )
    check = subprocess.run(
        [NGINX, "-t", "-p", tmp_path, "-c", tmp_path / "nginx.conf", "-e", tmp_path / "error.log"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_rendering_refuses_a_configuration_it_does_not_recognise():
    with pytest.raises(ValueError, match="upstream softmax"):
        render_nginx_site("server { listen 80; }", 8080, [8501], "log")


def test_a_browser_keeps_its_replica_by_its_cookie(proxy):
    first, cookie = answer(proxy)
    assert cookie.startswith("softmax_replica=") and len(cookie) > len("softmax_replica=")
    for _ in range(10):
        again, kept = answer(proxy, cookie)
        assert again["port"] == first["port"] and kept == cookie


def test_new_browsers_spread_over_every_replica(proxy, replicas):
    ports = {answer(proxy)[0]["port"] for _ in range(40)}  # all on one: 3 × (1/3)⁴⁰
    assert ports == {r.port for r in replicas}


def test_a_stopped_replicas_browsers_move_to_another(proxy, replicas):
    first, cookie = answer(proxy)
    next(r for r in replicas if r.port == first["port"]).stop()
    moved, _ = answer(proxy, cookie)
    assert moved["port"] != first["port"]


def test_the_replica_gets_the_browsers_host_address_and_websocket_upgrade(proxy):
    got, _ = answer(proxy)
    headers = {key.lower(): value for key, value in got["headers"].items()}
    assert headers["host"] == f"127.0.0.1:{proxy.port}"  # with the port: Streamlit's origin check
    assert headers["x-forwarded-for"] == "127.0.0.1" and headers["x-forwarded-proto"] == "http"
    assert "upgrade" not in headers and "connection" not in headers  # plain request: keep-alive
    _, body, _ = proxy.get("/_stcore/stream", {"Upgrade": "websocket", "Connection": "Upgrade"})
    upgraded = {key.lower(): value for key, value in json.loads(body)["headers"].items()}
    assert (upgraded["upgrade"], upgraded["connection"]) == ("websocket", "upgrade")


def test_a_spoofed_forwarded_address_is_kept_before_the_real_one(proxy):
    got = json.loads(proxy.get("/", {"X-Forwarded-For": "127.0.0.1"})[1])
    forwarded = {k.lower(): v for k, v in got["headers"].items()}["x-forwarded-for"]
    assert (
        forwarded == "127.0.0.1, 127.0.0.1"
    )  # the proxy appends what it saw; the app trusts the last


def test_nothing_answers_when_every_replica_is_down(proxy, replicas):
    for replica in replicas:
        replica.stop()
    with pytest.raises(urllib.error.HTTPError) as failed:
        proxy.get("/_stcore/health")
    assert failed.value.code == 502
