"""Credentials out of every text a broker's answer can put in front of a person or into a file.

Gateways and proxies echo what they were sent: a fault string, an ``errors`` entry, an HTML
page, a reason phrase or a header may carry ``Authorization: Bearer <token>``. Every message
legsync builds from a broker's text goes through :func:`broker_text`, which redacts *before* it
shortens: shortening first would cut the token, and a cut token no longer matches.

Two rules, whatever the order of the text:

- the value after ``Bearer`` or ``Authorization:`` is never shown, whatever it is;
- no run of 8 or more characters of a known secret (the configured token) is shown, so neither
  the whole token nor any long piece of it survives.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection

__all__ = ["REDACTED", "RedactingFilter", "broker_text", "redact"]

REDACTED = "<redacted>"
RUN = 8
"""The shortest piece of a secret that is never shown."""

_CREDENTIALS = re.compile(
    r"(?i)(\bbearer\s+|\bauthorization\b[\"']?\s*[:=]\s*[\"']?(?!bearer\b))[^\s\"'<>(),;]+"
)


def redact(text: str, secrets: Collection[str] = ()) -> str:
    """``text`` with every credential value and every long piece of a secret replaced."""
    text = _CREDENTIALS.sub(lambda found: found.group(1) + REDACTED, text)
    for secret in secrets:
        if len(secret) < RUN:
            text = text.replace(secret, REDACTED) if secret else text
            continue
        hidden = [False] * len(text)
        for start in range(len(text) - RUN + 1):
            if text[start : start + RUN] in secret:
                hidden[start : start + RUN] = [True] * RUN
        if any(hidden):
            text = _replace_hidden(text, hidden)
    return text


def _replace_hidden(text: str, hidden: list[bool]) -> str:
    parts: list[str] = []
    for index, character in enumerate(text):
        if not hidden[index]:
            parts.append(character)
        elif index == 0 or not hidden[index - 1]:
            parts.append(REDACTED)
    return "".join(parts)


def broker_text(value: object, secrets: Collection[str] = (), limit: int = 160) -> str:
    """A broker's text made fit for one line of a message: printable, redacted, then short."""
    if value is None:
        return ""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    text = redact(text, secrets)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RedactingFilter(logging.Filter):
    """Redacts ``secrets`` from every record of the loggers it is added to (a library's own
    records, such as httpcore's of the headers it received, included)."""

    def __init__(self, secrets: Collection[str]) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
