"""A broker that echoes the token back, in every place a gateway or a proxy has been seen to.

``echo_reply(place, text)`` scripts one answer carrying ``text``; ``leaked(token, outputs)``
says which pieces of the token (8 characters or more) any of the outputs still shows.
"""

from __future__ import annotations

import string
from collections.abc import Iterable

from hypothesis import strategies as st

from tests.support.tradier_server import Reply, fault_body

__all__ = ["PLACES", "PREFIXES", "echo_reply", "fillers", "leaked", "tokens"]

PLACES = ("fault string", "fault detail", "errors", "XML fault", "reason phrase", "header")
PREFIXES = (
    " token rejected: Bearer ",
    " Authorization: Bearer ",
    " Authorization: ",
    " bearer ",
    " token=",
    " ",
)
"""What stands before the echoed token: a credential header's words, or nothing but a space."""

TOKEN_ALPHABET = string.ascii_letters + string.digits
tokens = st.integers(8, 64).flatmap(
    lambda size: st.text(alphabet=TOKEN_ALPHABET, min_size=size, max_size=size)
)
"""Tokens of every length from 8 to 64 (Tradier's are 28): lengths drawn evenly, not small."""
fillers = st.integers(0, 300).flatmap(
    lambda size: st.text(alphabet=TOKEN_ALPHABET + " .:-_/", min_size=size, max_size=size)
)
"""What stands before the echo, of every length from 0 to 300 (a reason is cut at 160)."""


def echo_reply(place: str, text: str) -> Reply:
    """An error answer of the positions endpoint with ``text`` in ``place``."""
    if place == "fault string":
        return Reply.json(fault_body(text, "keymanagement.service.invalid_access_token"), 401)
    if place == "fault detail":
        return Reply.json(fault_body("Invalid Access Token", text), 401)
    if place == "errors":
        return Reply.json({"errors": {"error": text}}, 500)
    if place == "XML fault":
        xml = f"<?xml version='1.0'?><fault><faultstring>{text}</faultstring></fault>"
        return Reply.text(xml, 502, content_type="application/xml")
    if place == "reason phrase":
        return Reply.json(fault_body("Invalid Access Token"), 401, reason=text.strip() or "x")
    if place == "header":
        headers = {"X-Echo": text.strip() or "x", "X-Ratelimit-Available": text.strip() or "x"}
        return Reply.json(fault_body("Datastore Error"), 500, headers=headers)
    raise ValueError(f"no such place: {place}")


def leaked(token: str, outputs: Iterable[str]) -> list[str]:
    """The pieces of 8 characters or more of ``token`` that appear in any output."""
    everything = "\n".join(outputs)
    return [token[i : i + 8] for i in range(len(token) - 7) if token[i : i + 8] in everything]
