"""Strict reading of what clients send: ids, cursors, JSON and text.

Everything a client controls is read here before it reaches a query or a
template, so that crafted input is refused with a clear message instead of
failing deep inside: ``str.isdigit`` accepts "²" and ``int`` accepts "١٢",
databases refuse integers past their range and text with NUL, UTF-8 cannot
encode a lone surrogate, and ``json.loads`` recurses once per level of nesting.
"""

import json
import re

# The largest id a client may name: PostgreSQL's bigint (Page ids are
# integers, smaller still, and simply match nothing above their range).
MAX_ID = 2**63 - 1
MAX_JSON_DEPTH = 8
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Replaced by a space in search words: NUL and lone surrogates, which no
# database takes, and the double quote, which the SQLite search backend puts
# around each word without escaping it (one quote is a syntax error there).
_NOT_SEARCHABLE = re.compile('[\x00"\ud800-\udfff]')
MAX_SEARCH_LENGTH = 200


class InvalidInput(ValueError):
    """Input refused; the message is fit to show the person who sent it."""


def parse_id(value: object, *, name: str = "id") -> int:
    """A positive id from a query string, a form or JSON: ASCII digits or a JSON integer, in range."""
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a whole number.")
    if isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise InvalidInput(f"{name} must be a whole number.")
    return value


def optional_id(value: object, *, name: str = "id") -> int | None:
    """``parse_id`` where absence (``None`` or an empty string) is allowed."""
    if value is None or value == "":
        return None
    return parse_id(value, name=name)


def check_text(value: str, *, name: str = "text") -> str:
    """Text that can be stored and sent anywhere: no NUL character, no lone surrogate."""
    if "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character.")
    if _SURROGATE.search(value):
        raise InvalidInput(f"{name} is not valid Unicode.")
    return value


def search_words(value: str, *, max_length: int = MAX_SEARCH_LENGTH) -> str:
    """What a reader typed into a search, as words every search backend takes.

    Characters no backend can take become spaces, runs of spaces one, and the
    result is cut at ``max_length`` characters; an empty result means there
    is nothing to search for.
    """
    return " ".join(_NOT_SEARCHABLE.sub(" ", value).split())[:max_length].strip()


def parse_json(text: str | bytes, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> object:
    """Parse a JSON body or frame, refusing before parsing what is too big or too deeply nested.

    Every string in the result (keys and values) passes ``check_text``.
    """
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise InvalidInput(f"At most {max_bytes // 1024} KiB.")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidInput("The body is not UTF-8.") from error
    elif len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InvalidInput(f"At most {max_bytes // 1024} KiB.")
    if _depth(text) > max_depth:
        raise InvalidInput(f"JSON nested deeper than {max_depth} levels.")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise InvalidInput("That is not JSON.") from error
    _check_strings(value)
    return value


def _depth(text: str) -> int:
    """How deeply brackets nest outside strings (an upper bound for malformed text)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def _check_strings(value: object) -> None:
    if isinstance(value, str):
        check_text(value, name="A string")
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, name="A key")
            _check_strings(item)


class IdConverter:
    """``<id:name>`` in URL patterns: an id in ``parse_id``'s range, else no match (404).

    Registered by ``SiteConfig.ready``, before any URL pattern is built.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        return parse_id(value)  # InvalidInput is a ValueError: the pattern does not match

    def to_url(self, value: int) -> str:
        return str(value)
