"""Two real `streamlit run app.py` replicas on one PostgreSQL behind the real nginx, configured by
deploy/nginx-softmax.conf, as a school would run them (deploy/README.md)."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from services import NGINX_MISSING, NginxProxy

from softmax.store import DATABASE_URL_ENV, Store
from softmax.ui.teacher import BEHIND_PROXY_ENV

from .browser import (
    EXPECT_TIMEOUT,
    METRIC,
    ONE,
    PHONE,
    SEVEN,
    VIEWPORT,
    AppServer,
    draw_digit,
    wait_until_loaded,
)
from .conftest import start_server
from .test_classroom import join_and_label, metric
from .test_teaching import TRAINING_TIMEOUT, open_view, start_training

if TYPE_CHECKING:
    from playwright.sync_api import Page

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


def sticky_keys(proxy: NginxProxy, replicas: list[AppServer]) -> dict[str, str]:
    """A sticky cookie value for each replica (its address -> the value): nginx hashes the
    `softmax_replica` cookie onto one replica, and its log says which."""
    wanted = {f"127.0.0.1:{replica.port}" for replica in replicas}
    for i in range(64):
        proxy.get("/_stcore/host-config", headers={"Cookie": f"softmax_replica=probe{i}"})
    found = {}
    logged(proxy, "probe63", "/_stcore/host-config")  # the last one is logged: so are all
    # (not /_stcore/health: nginx does not log health checks)
    for entry in proxy.requests():
        if entry["key"].startswith("probe") and entry["replica"] in wanted:
            found.setdefault(entry["replica"], entry["key"])
    assert set(found) == wanted, f"64 keys all hashed onto {set(found)}"
    return found


def test_a_drawing_saved_through_either_replica_is_on_the_board_of_the_other(deployment, browser):
    with Store(deployment.database_url) as store:
        room = store.create_class("Two replicas")
    proxy = deployment.proxy
    first, second = sticky_keys(proxy, deployment.replicas).values()

    def through(key: str, **options):
        context = browser.new_context(**options)
        context.add_cookies([{"name": "softmax_replica", "value": key, "url": proxy.url}])
        return context.new_page()

    expect.set_options(timeout=EXPECT_TIMEOUT)
    join = f"{proxy.url}/join?code={room.code}"
    ada, bo = through(first, **PHONE), through(second, **PHONE)
    join_and_label(ada, join, "Ada", SEVEN, 7)  # saved by the first replica
    join_and_label(bo, join, "Bo", ONE, 1)  # and by the second
    for key, other in ((second, "Ada"), (first, "Bo")):
        board = through(key, viewport=VIEWPORT)
        board.goto(f"{proxy.url}/board?code={room.code}")
        expect(metric(board, "Drawings")).to_have_text("2")
        expect(board.locator(".sm-class-gallery").first).to_contain_text(other)
        board.context.close()
    ada.context.close()
    bo.context.close()  # nginx logs a websocket when it closes
    served = {
        entry["key"]: entry["replica"]
        for key in (first, second)
        for entry in logged(proxy, key, "/_stcore/stream")
        if entry["key"] == key and "/_stcore/stream" in entry["request"]
    }
    assert served[first] != served[second]  # each phone's page ran on its own replica


def logged(proxy: NginxProxy, key: str, request: str) -> list[dict[str, str]]:
    """nginx's access log, once it has an entry for `request` with the sticky `key`."""
    return wait_for(lambda: [r for r in proxy.requests() if r["key"] == key], request)


def test_a_second_training_on_the_other_replica_is_refused_until_the_first_ends(
    deployment, browser
):
    """One training for the whole deployment: the store's lease, not each server's own slot."""
    proxy = deployment.proxy
    keys = sticky_keys(proxy, deployment.replicas)
    (first_address, first), (_, second) = keys.items()

    def through(key: str) -> Page:
        context = browser.new_context(viewport=VIEWPORT)
        context.add_cookies([{"name": "softmax_replica", "value": key, "url": proxy.url}])
        return context.new_page()

    expect.set_options(timeout=EXPECT_TIMEOUT)
    trainer, other = through(first), through(second)
    open_view(trainer, proxy.url, "train", "Start training")
    start_training(trainer, "scikit-learn digits 8×8", "default", batch_size=1, epochs=500)
    stop = trainer.get_by_role("button", name="Stop")  # a run of hours: it runs on until stopped
    expect(stop).to_be_visible()
    open_view(other, proxy.url, "train", "Start training")
    start = other.get_by_role("button", name="Start training")
    start.click()
    port = first_address.rsplit(":", 1)[1]
    refusal = re.compile(
        r"Training “default \(edited\)” on the 8×8 digits is running \(started by a visitor on "
        rf"server {re.escape(socket.gethostname())}:{port} \d+ s ago\) — try again when it "
        r"finishes\."
    )
    expect(other.get_by_text(refusal)).to_be_visible()
    expect(other.locator("[data-testid=stProgress]")).to_have_count(0)  # nothing started there
    expect(start).to_be_enabled()  # and the page stays usable
    stop.click()
    expect(trainer.get_by_text("stopped after epoch")).to_be_visible(timeout=TRAINING_TIMEOUT)
    start.click()  # the lease was released when the run ended: the other replica may train now
    expect(other.locator("[data-testid=stProgress]")).to_be_visible()
    expect(other.get_by_text(refusal)).to_have_count(0)
    other.get_by_role("button", name="Stop").click()
    expect(other.get_by_text("stopped after epoch")).to_be_visible(timeout=TRAINING_TIMEOUT)
    trainer.context.close()
    other.context.close()
