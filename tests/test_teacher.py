"""The teacher check: the server's own machine, or the password; everyone else is refused.

AppTest runs scripts without a real browser connection (its client address is a stand-in, not
"none, the server's own machine"), and these tests also turn the machine rule off with
SOFTMAX_BEHIND_PROXY, as a deployment behind nginx does. The machine rule itself is exercised
with a real browser on loopback in tests/e2e.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from softmax.ui.teacher import BEHIND_PROXY_ENV, PASSWORD_ENV, behind_proxy, password_matches

GATED = """
from softmax.ui.teacher import teacher_gate
if teacher_gate("Saving the default model"):
    st.button("Save as default", key="save")
"""


def gated_app() -> AppTest:
    return AppTest.from_string("import streamlit as st\n" + GATED, default_timeout=30).run()


@pytest.fixture
def visitor(monkeypatch):
    """A browser that is not on the server's machine (the machine rule is off)."""
    monkeypatch.setenv(BEHIND_PROXY_ENV, "1")
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def test_a_visitor_is_refused_and_told_why_without_a_password_set(visitor):
    at = gated_app()
    assert not at.exception and not at.button and not at.text_input
    assert "is for the teacher" in at.caption[0].value
    assert PASSWORD_ENV in at.caption[0].value


def test_a_visitor_with_the_password_becomes_the_teacher(visitor, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "chalk and talk")
    at = gated_app()
    assert "save" not in [button.key for button in at.button]
    at.text_input[0].input("chalk and talk")
    at.button[0].click().run()  # the form's Unlock button
    assert not at.exception
    assert [button.key for button in at.button] == ["save"]


def test_a_wrong_password_is_refused_and_said_so(visitor, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "chalk and talk")
    at = gated_app()
    at.text_input[0].input("chalk")
    at.button[0].click().run()
    assert not at.exception
    assert "not the teacher password" in at.error[0].value
    assert "save" not in [button.key for button in at.button]


def test_passwords_are_compared_whole_and_exactly():
    assert password_matches("secret", "secret")
    assert not password_matches("secre", "secret") and not password_matches("Secret", "secret")
    assert password_matches("비밀번호", "비밀번호")


@pytest.mark.parametrize(
    ("value", "on"),
    [("1", True), ("yes", True), ("ture", True), ("", False), ("0", False), ("off", False)],
)
def test_any_proxy_setting_but_an_explicit_off_turns_the_machine_rule_off(monkeypatch, value, on):
    monkeypatch.setenv(BEHIND_PROXY_ENV, value)
    assert behind_proxy() is on
