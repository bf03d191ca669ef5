"""Two real `streamlit run app.py` replicas on one PostgreSQL behind the real nginx, configured by
deploy/nginx-softmax.conf, as a school would run them (deploy/README.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from services import NGINX_MISSING, NginxProxy

from softmax.store import DATABASE_URL_ENV, Store
from softmax.ui.teacher import BEHIND_PROXY_ENV

from .browser import (
    EXPECT_TIMEOUT,
    METRIC,
    SEVEN,
    VIEWPORT,
    AppServer,
    draw_digit,
    wait_until_loaded,
)
from .conftest import start_server

expect = pytest.importorskip("playwright.sync_api", reason="e2e tests need playwright").expect

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Deployment:
    replicas: list[AppServer]
    proxy: NginxProxy
    database_url: str


@pytest.fixture(scope="module")
def deployment(postgres) -> Iterator[Deployment]:
    """Two replicas as deploy/ runs them (one database, behind a proxy) and nginx in front."""
    if NGINX_MISSING:
        pytest.skip(NGINX_MISSING)
    url = postgres.create_database()
    Store(url).close()  # the schema, as the first replica to start would create it
    environment = {DATABASE_URL_ENV: url, BEHIND_PROXY_ENV: "1"}
    replicas, proxy = [], None
    try:
        for _ in range(2):
            replicas.append(start_server(environment))
        proxy = NginxProxy([replica.port for replica in replicas])
        yield Deployment(replicas, proxy, url)
    finally:
        if proxy is not None:
            proxy.stop()
        for replica in replicas:
            replica.stop()


def wait_for(read, needle: str, timeout: float = 10.0) -> list[dict[str, str]]:
    """Poll `read()` (access log entries) until one's request names `needle`."""
    deadline = time.monotonic() + timeout
    while True:
        entries = read()
        if any(needle in entry["request"] for entry in entries):
            return entries
        if time.monotonic() > deadline:
            raise AssertionError(f"no {needle} request in nginx's log: {entries}")
        time.sleep(0.05)


def test_health_answers_through_nginx(deployment):
    status, body, _ = deployment.proxy.get("/_stcore/health")
    assert (status, body) == (200, "ok")


def test_the_app_reads_a_drawing_through_nginx_over_its_websocket(deployment, browser):
    proxy = deployment.proxy
    expect.set_options(timeout=EXPECT_TIMEOUT)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(proxy.url)
    wait_until_loaded(page)
    draw_digit(page, SEVEN, left=60, top=40, size=180)
    expect(page.locator(METRIC)).to_have_count(1)  # the answer came back over the websocket
    [key] = [c["value"] for c in context.cookies() if c["name"] == "softmax_replica"]
    context.close()  # nginx logs a websocket when it closes
    assert sockets == [f"ws://127.0.0.1:{proxy.port}/_stcore/stream"]
    mine = wait_for(lambda: [r for r in proxy.requests() if r["key"] == key], "/_stcore/stream")
    served_by = {r["replica"] for r in mine}
    assert len(served_by) == 1  # sticky: page, scripts, websocket, all from one replica
    assert served_by <= {f"127.0.0.1:{replica.port}" for replica in deployment.replicas}
