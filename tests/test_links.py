"""Which URL a class's phones are given, and its QR code."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from softmax import links


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "127.0.1.1", "::1", "[::1]", "0.0.0.0", "app.localhost"]
)
def test_loopback_hosts(host):
    assert links.is_loopback(host)


@pytest.mark.parametrize("host", ["192.168.1.20", "studio.school.example", "10.0.0.5", "fe80::1"])
def test_hosts_a_phone_can_reach(host):
    assert not links.is_loopback(host)


def test_the_public_url_wins_as_given():
    base = links.base_url("https://studio.school.example/softmax/", "192.168.1.20:8501")
    assert base == "https://studio.school.example/softmax"
    assert links.join_url(base, "K7MXR") == "https://studio.school.example/softmax/join?code=K7MXR"
    assert links.board_url(base, "K7MXR").endswith("/softmax/board?code=K7MXR")


def test_a_public_url_must_be_http():
    with pytest.raises(ValueError, match="http"):
        links.base_url("studio.school.example", None)


def test_the_teachers_host_when_it_is_not_loopback():
    assert links.base_url(None, "192.168.1.20:8501") == "http://192.168.1.20:8501"
    assert links.base_url(None, "studio:80", "https", base_path="/s/") == "https://studio:80/s"


def test_on_the_server_machine_the_lan_address_and_port():
    base = links.base_url(None, "localhost:8501", port=8600)
    address = links.lan_address()
    assert base == f"http://{address or 'localhost'}:8600"
    if address is not None:
        assert not links.is_loopback(address)


def test_the_qr_code_is_a_png_large_enough_to_scan_across_a_room():
    image = Image.open(io.BytesIO(links.qr_png("http://192.168.1.20:8501/join?code=K7MXR")))
    assert image.format == "PNG"
    assert image.width == image.height >= 29 * 12  # version 3+ at 12 px a module
