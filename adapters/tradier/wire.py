"""Tradier's wire format, read defensively: the one parser the HTTP and file brokers share.

Tradier's JSON is converted from XML, so one position arrives as a bare object and many as a
list, "no positions" is the *string* ``"null"`` (or JSON ``null``), and numbers come as numbers
or as numeric strings. Everything here turns those shapes into plain values or raises
:class:`WireError` with a reason that names what was wrong. Nothing here guesses: a body that
is not exactly a positions answer is an error, because a garbled answer mistaken for "no
positions" would wipe the mirror.

JSON is decoded with ``parse_float=Decimal``, so a quantity written ``1.00000000`` or a cost
basis ``207.01`` never passes through a binary float.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

from legsync.domain import BrokerPosition
from legsync.ports import Marks

from ..redaction import broker_text

__all__ = [
    "Fault",
    "QuoteChunk",
    "WireError",
    "accounts_from_payload",
    "decode_json",
    "fault_in",
    "marks_from",
    "parse_positions_body",
    "parse_quotes_body",
    "positions_from_payload",
    "quotes_from_payload",
]

Secrets = Collection[str]
"""What must never appear in a reason: the credential the read was made with
(:mod:`legsync.adapters.redaction`)."""

_AUTH_WORDS = re.compile(
    r"invalid access token|access token expired|expired access token|invalid api key"
    r"|invalid_access_token|access_token_expired|keymanagement|unauthori[sz]ed|forbidden",
    re.IGNORECASE,
)
_TRANSIENT_WORDS = re.compile(
    r"datastore error|gateway timeout|service unavailable|bad gateway|servicecallout"
    r"|too many requests|rate limit|quota",
    re.IGNORECASE,
)
_XML_FAULTSTRING = re.compile(r"<faultstring>(.*?)</faultstring>", re.IGNORECASE | re.DOTALL)
_XML_ERROR = re.compile(r"<error>(.*?)</error>", re.IGNORECASE | re.DOTALL)
_HTML_START = ("<!doctype html", "<html", "<head", "<body")
_PRICES = Context(prec=34, rounding=ROUND_HALF_EVEN)
"""A midpoint's arithmetic: exact for any real price, and never the caller's thread context
(whose precision might round a mark before it is stored)."""


class WireError(ValueError):
    """A body is not the answer it should be; ``reason`` says what is wrong, in a few words.

    ``auth`` marks a credential problem (never worth retrying); ``transient`` marks a fault the
    broker itself calls temporary (worth retrying).
    """

    def __init__(self, reason: str, *, auth: bool = False, transient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.auth = auth
        self.transient = transient


@dataclass(frozen=True, slots=True)
class Fault:
    """An error a gateway or the API wrote into a body: a ``fault`` or an ``errors`` entry."""

    message: str
    auth: bool
    transient: bool


@dataclass(frozen=True, slots=True)
class QuoteChunk:
    """What one quotes answer said: prices found, symbols it did not know, and what was odd."""

    prices: dict[str, Decimal] = field(default_factory=dict)
    unmatched: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# --- bodies ----------------------------------------------------------------------------------


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def decode_json(
    body: bytes | str, *, content_type: str | None = None, secrets: Secrets = ()
) -> Any:
    """Decode a JSON body exactly (Decimals, no NaN), or say what the body is instead.

    HTML (an error or docs page served as 200) and XML (gateway faults, or a missing ``Accept``
    header) are recognised and reported as such; an XML fault's own message is quoted.
    """
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            if body.lstrip()[:1] != b"<":
                raise WireError("the body is not UTF-8 text") from None
            text = body.decode("utf-8", errors="replace")  # only to recognise HTML or XML
    else:
        text = body
    head = text.lstrip()[:200].lower()
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if not head:
        raise WireError("the body is empty")
    # The body, not its Content-Type, decides: gateways mislabel their pages both ways.
    if head.startswith(_HTML_START) or (head.startswith("<") and "html" in kind):
        raise WireError("the body is an HTML page, not JSON")
    if head.startswith("<"):
        fault = _xml_fault(text, secrets)
        if fault is not None:
            raise WireError(f"the body is an XML fault: {fault.message}", **_flags(fault))
        raise WireError("the body is XML, not JSON")
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except RecursionError:
        raise WireError("the body is JSON nested too deeply") from None
    except ValueError as invalid:
        where = ""
        if isinstance(invalid, json.JSONDecodeError):
            where = f" at line {invalid.lineno} column {invalid.colno}: {invalid.msg}"
        raise WireError(f"the body is not valid JSON{where}") from None


def fault_in(payload: Any, secrets: Secrets = ()) -> Fault | None:
    """The fault or error a decoded body carries, if any.

    Tradier's gateway writes ``{"fault": {"faultstring": ..., "detail": {"errorcode": ...}}}``;
    the API writes ``{"errors": {"error": "..."}}`` (one string or a list of them).
    """
    if not isinstance(payload, Mapping):
        return None
    if "fault" in payload:
        fault = payload["fault"]
        message, code = "", ""
        if isinstance(fault, Mapping):
            message = broker_text(fault.get("faultstring"), secrets)
            detail = fault.get("detail")
            if isinstance(detail, Mapping):
                code = broker_text(detail.get("errorcode"), secrets)
        else:
            message = broker_text(fault, secrets)
        shown = message or "no fault string"
        if code:
            shown = f"{shown} ({code})"
        return _classified(shown)
    if "errors" in payload:
        errors = payload["errors"]
        if isinstance(errors, Mapping):
            errors = errors.get("error", errors)
        messages = [broker_text(e, secrets) for e in _as_list(errors)]
        return _classified("; ".join(m for m in messages if m) or "an unspecified error")
    return None


def _xml_fault(text: str, secrets: Secrets) -> Fault | None:
    for pattern in (_XML_FAULTSTRING, _XML_ERROR):
        found = pattern.search(text)
        if found:
            return _classified(
                broker_text(re.sub(r"<[^>]*>", " ", found.group(1)), secrets) or "unspecified"
            )
    return None


def _classified(message: str) -> Fault:
    return Fault(
        message=message,
        auth=bool(_AUTH_WORDS.search(message)),
        transient=bool(_TRANSIENT_WORDS.search(message)),
    )


def _as_list(value: object) -> list[Any]:
    """Tradier's XML heritage: one item is a bare value, several are a list."""
    if isinstance(value, list):
        return value
    return [value]


# --- positions -------------------------------------------------------------------------------


def parse_positions_body(
    body: bytes | str, *, content_type: str | None = None, secrets: Secrets = ()
) -> tuple[BrokerPosition, ...]:
    """A whole positions response body (as the API sends it, or as a user saved it)."""
    return positions_from_payload(
        decode_json(body, content_type=content_type, secrets=secrets), secrets
    )


def positions_from_payload(payload: Any, secrets: Secrets = ()) -> tuple[BrokerPosition, ...]:
    """Every row of a decoded ``GET /accounts/{id}/positions`` answer, in the broker's order.

    Empty only for the explicit "no positions" answers (``"null"``, ``null``, an empty list).
    Stock and option rows alike are returned: which is which is the sync's decision.
    """
    if not isinstance(payload, Mapping):
        raise WireError(f"the body is a JSON {_json_kind(payload)}, not an object")
    fault = fault_in(payload, secrets)
    if fault is not None:
        kind = "fault" if "fault" in payload else "error"
        raise WireError(f"the broker sent an {kind}: {fault.message}", **_flags(fault))
    if "positions" not in payload:
        keys = ", ".join(sorted(str(k) for k in payload)[:5]) or "none"
        raise WireError(f'the body has no "positions" key (keys: {keys})')
    positions = payload["positions"]
    if positions is None or positions == "null":
        return ()
    if not isinstance(positions, Mapping):
        raise WireError(
            f'"positions" is {_describe(positions, secrets)}; expected an object or "null"'
        )
    if "position" not in positions:
        raise WireError('"positions" has no "position" entry')
    rows = positions["position"]
    if isinstance(rows, Mapping):
        rows = [rows]
    elif not isinstance(rows, list):
        raise WireError(f'"position" is {_describe(rows, secrets)}; expected an object or a list')
    return tuple(_position(row, number, secrets) for number, row in enumerate(rows, 1))


def _position(row: Any, number: int, secrets: Secrets) -> BrokerPosition:
    if not isinstance(row, Mapping):
        raise WireError(f"position {number} is {_describe(row, secrets)}, not an object")
    symbol = row.get("symbol")
    if not isinstance(symbol, str) or not symbol.strip():
        what = "no symbol" if symbol is None else f"no usable symbol ({_describe(symbol, secrets)})"
        raise WireError(f"position {number} has {what}")
    try:
        if row.get("quantity") is None:
            raise WireError("has no quantity")
        quantity = _decimal(row["quantity"], "quantity", secrets)
        cost = row.get("cost_basis")
        cost_basis = None if cost is None else _decimal(cost, "cost_basis", secrets)
        acquired = row.get("date_acquired")
        date_acquired = None if acquired is None else _timestamp(acquired, "date_acquired", secrets)
    except WireError as bad:
        raise WireError(
            f"position {number} ({broker_text(symbol, secrets)}) {bad.reason}"
        ) from None
    return BrokerPosition(
        symbol=symbol, quantity=quantity, cost_basis=cost_basis, date_acquired=date_acquired
    )


def _decimal(value: Any, what: str, secrets: Secrets) -> Decimal:
    """A JSON number or a numeric string, exactly; booleans, NaN and infinities are refused."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise WireError(f"{what} is {_describe(value, secrets)}, not a number") from None
    else:
        raise WireError(f"{what} is {_describe(value, secrets)}, not a number")
    if not number.is_finite():
        raise WireError(f"{what} is {_describe(value, secrets)}, not a finite number")
    return number


def _timestamp(value: Any, what: str, secrets: Secrets) -> datetime:
    """ISO 8601 as Tradier writes it (``2018-08-08T14:41:11.405Z``), as an aware UTC time."""
    if not isinstance(value, str):
        raise WireError(f"{what} is {_describe(value, secrets)}, not a timestamp")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise WireError(f"{what} is {_describe(value, secrets)}, not an ISO timestamp") from None
    if moment.tzinfo is None:  # Tradier documents UTC
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --- quotes ----------------------------------------------------------------------------------


def parse_quotes_body(
    body: bytes | str,
    asked: Sequence[str],
    *,
    content_type: str | None = None,
    secrets: Secrets = (),
) -> QuoteChunk:
    """A whole quotes response body (as the API sends it, or as a user saved it)."""
    return quotes_from_payload(
        decode_json(body, content_type=content_type, secrets=secrets), asked, secrets
    )


def quotes_from_payload(payload: Any, asked: Sequence[str], secrets: Secrets = ()) -> QuoteChunk:
    """Marks from a decoded ``/markets/quotes`` answer for the symbols in ``asked``.

    The mark is ``last``, or the bid/ask midpoint when the contract has not traded. A quote
    that cannot be priced is a warning, not an error: marks are a convenience, the positions
    are what matter. Raises :class:`WireError` only when the body is not a quotes answer at all.
    """
    if not isinstance(payload, Mapping):
        raise WireError(f"the body is a JSON {_json_kind(payload)}, not an object")
    fault = fault_in(payload, secrets)
    if fault is not None:
        raise WireError(f"the broker sent an error: {fault.message}", **_flags(fault))
    if "quotes" not in payload:
        keys = ", ".join(sorted(str(k) for k in payload)[:5]) or "none"
        raise WireError(f'the body has no "quotes" key (keys: {keys})')
    quotes = payload["quotes"]
    if not isinstance(quotes, Mapping):
        raise WireError(f'"quotes" is {_describe(quotes, secrets)}; expected an object')

    wanted = set(asked)
    prices: dict[str, Decimal] = {}
    unpriced: set[str] = set()
    warnings: list[str] = []
    rows = quotes.get("quote")
    for row in [] if rows is None else _as_list(rows):
        if not isinstance(row, Mapping) or not isinstance(row.get("symbol"), str):
            warnings.append(f"ignored a quote without a symbol ({_describe(row, secrets)})")
            continue
        symbol = row["symbol"]
        if symbol not in wanted:
            continue
        try:
            prices[symbol] = _mark(row, secrets)
        except WireError as no_mark:
            unpriced.add(symbol)
            warnings.append(f"no mark for {broker_text(symbol, secrets)}: {no_mark.reason}")
    # Whether listed in ``unmatched_symbols`` or silently left out, a symbol without a quote
    # is unmatched: the answer said nothing about its price.
    unmatched = tuple(s for s in dict.fromkeys(asked) if s not in prices and s not in unpriced)
    return QuoteChunk(prices=prices, unmatched=unmatched, warnings=tuple(warnings))


def _mark(row: Mapping[str, Any], secrets: Secrets) -> Decimal:
    last = row.get("last")
    if last is not None:
        price = _decimal(last, "last", secrets)
        if price < 0:
            raise WireError(f"last is negative ({price})")
        return price
    bid, ask = row.get("bid"), row.get("ask")
    if bid is None or ask is None:
        raise WireError("it has not traded and has no bid and ask")
    low, high = _decimal(bid, "bid", secrets), _decimal(ask, "ask", secrets)
    if low < 0 or high < low:
        raise WireError(f"bid {low} and ask {high} are not a market")
    return _PRICES.divide(_PRICES.add(low, high), 2)


def marks_from(chunks: Iterable[QuoteChunk]) -> Marks:
    """The :class:`~legsync.ports.Marks` of one quote read, from its answers in order.

    One read may take several answers (the HTTP broker asks in chunks) or one (a saved file):
    their prices, unmatched symbols and warnings are put together, in the order read. A chunk
    that holds only a warning says what happened to a part of the read that got no answer.
    """
    prices: dict[str, Decimal] = {}
    unmatched: list[str] = []
    warnings: list[str] = []
    for chunk in chunks:
        prices.update(chunk.prices)
        unmatched.extend(chunk.unmatched)
        warnings.extend(chunk.warnings)
    return Marks(prices=prices, unmatched=tuple(unmatched), warnings=tuple(warnings))


# --- accounts --------------------------------------------------------------------------------


def accounts_from_payload(payload: Any, secrets: Secrets = ()) -> tuple[str, ...]:
    """Account numbers from a decoded ``GET /user/profile`` answer, in the broker's order.

    Account numbers must be strings: a number would already have lost any leading zero.
    """
    if not isinstance(payload, Mapping):
        raise WireError(f"the body is a JSON {_json_kind(payload)}, not an object")
    fault = fault_in(payload, secrets)
    if fault is not None:
        raise WireError(f"the broker sent an error: {fault.message}", **_flags(fault))
    profile = payload.get("profile")
    if not isinstance(profile, Mapping):
        raise WireError(f'"profile" is {_describe(profile, secrets)}; expected an object')
    accounts = profile.get("account")
    if accounts is None or accounts == "null":
        return ()
    numbers: list[str] = []
    for number, account in enumerate(_as_list(accounts), 1):
        if not isinstance(account, Mapping):
            raise WireError(f"account {number} is {_describe(account, secrets)}, not an object")
        account_number = account.get("account_number")
        if not isinstance(account_number, str) or not account_number.strip():
            raise WireError(
                f"account {number} has no usable account_number "
                f"({_describe(account_number, secrets)})"
            )
        numbers.append(account_number.strip())
    return tuple(dict.fromkeys(numbers))


# --- helpers ---------------------------------------------------------------------------------


def _flags(fault: Fault) -> dict[str, bool]:
    return {"auth": fault.auth, "transient": fault.transient and not fault.auth}


def _json_kind(value: object) -> str:
    kinds: Iterable[tuple[type | tuple[type, ...], str]] = (
        (bool, "boolean"),
        (str, "string"),
        ((int, Decimal), "number"),
        (list, "array"),
        (Mapping, "object"),
    )
    if value is None:
        return "null"
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def _describe(value: object, secrets: Secrets) -> str:
    """A short, safe rendering of an unexpected value for a reason."""
    if isinstance(value, str):
        return repr(broker_text(value, secrets)) if value else "an empty string"
    if isinstance(value, Mapping | list):
        return f"a JSON {_json_kind(value)}"
    return f"{_json_kind(value)} {broker_text(value, secrets)}" if value is not None else "null"
