"""Who may change what everyone gets: the teacher, and nobody else.

The teacher is a browser on the server's own machine (Streamlit reports no IP address for a
loopback connection) or anyone who has entered the teacher password in this browser session.
The password comes from `teacher_password` in `.streamlit/secrets.toml`, else the environment
variable SOFTMAX_TEACHER_PASSWORD; without one, only the server's own machine is the teacher.
Behind a reverse proxy every browser arrives from the proxy's address, so a deployment there sets
SOFTMAX_BEHIND_PROXY=1: the machine rule is off and only the password counts.

Every action that changes what others get (the default model, a class model, closing, exporting
or deleting a class, stopping someone else's training) asks `is_teacher()`, or draws
`teacher_gate(...)`, which also says why the action is not offered and lets a teacher unlock it.
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

from softmax.ui.language import messages

PASSWORD_SECRET = "teacher_password"  # key in .streamlit/secrets.toml
PASSWORD_ENV = "SOFTMAX_TEACHER_PASSWORD"
BEHIND_PROXY_ENV = "SOFTMAX_BEHIND_PROXY"  # "1": browsers arrive through a proxy
UNLOCKED_KEY = "teacher_unlocked"  # session flag: the password was entered here
ENTERED_KEY = "teacher_password_entered"  # + ":" + the gated action
WRONG_KEY = "teacher_password_wrong"


def teacher_password() -> str | None:
    """The configured password (secrets first, then the environment), or None when unset."""
    try:
        configured = st.secrets.get(PASSWORD_SECRET)
    except (FileNotFoundError, OSError, ValueError):  # no secrets.toml, or an unreadable one
        configured = None
    configured = configured or os.environ.get(PASSWORD_ENV)
    return str(configured) if configured else None


def behind_proxy() -> bool:
    """SOFTMAX_BEHIND_PROXY is set to anything but an explicit off ("", 0, false, no, off): a
    mistyped value must not quietly make every browser on the proxy's machine the teacher."""
    return os.environ.get(BEHIND_PROXY_ENV, "").strip().lower() not in (
        "",
        "0",
        "false",
        "no",
        "off",
    )


def on_server_machine() -> bool:
    """This browser runs on the server's own machine (never true behind a proxy)."""
    return not behind_proxy() and st.context.ip_address is None


def password_matches(given: str, expected: str) -> bool:
    """Constant-time comparison, so response times do not leak how much of a guess was right."""
    return hmac.compare_digest(given.encode(), expected.encode())


def is_teacher() -> bool:
    """True on the server's own machine, or after the password was entered in this session."""
    return on_server_machine() or bool(st.session_state.get(UNLOCKED_KEY))


def teacher_gate(action: str, key: str | None = None) -> bool:
    """`is_teacher()`; when not, say why `action` (what is gated, in the session's language, e.g.
    "Saving the default model") is not offered here and, if a password is configured, offer to
    enter it. `key` names the gated action for the form's widgets (default: `action`): give one
    that does not depend on the language, so switching it keeps a half-typed password."""
    if is_teacher():
        return True
    t = messages()
    key = key or action
    password = teacher_password()
    if password is None:
        st.caption(t("teacher.for_teacher_here", action=action, variable=PASSWORD_ENV))
        return False
    st.caption(t("teacher.for_teacher", action=action))
    entered = f"{ENTERED_KEY}:{key}"  # one form per gated action on a page
    with st.form(key=f"teacher_unlock:{key}", border=False, enter_to_submit=True):
        st.text_input(t("teacher.password"), type="password", key=entered)
        st.form_submit_button(t("teacher.unlock"), on_click=_unlock, args=(entered, password))
    if st.session_state.pop(WRONG_KEY, False):
        st.error(t("teacher.wrong_password"))
    return False


def _unlock(entered: str, password: str) -> None:
    given = st.session_state.get(entered) or ""
    if password_matches(given, password):
        st.session_state[UNLOCKED_KEY] = True
    else:
        st.session_state[WRONG_KEY] = True
