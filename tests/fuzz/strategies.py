"""What a careless or hostile client may send, as hypothesis strategies.

The values that broke parsers before are listed by name (``NUMBERISH``,
``AWKWARD_TEXT``, ``RAW_JSON``...), so a failure reads as the input that broke
it, and random ones are drawn around them. Strategies are built before the
database is, so ``Ref("own")`` stands for the id of something a test seeded;
``resolve`` fills it in.
"""

import json
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st

from blog.threads.flags import REASONS
from blog.threads.selectors import REACTION_KINDS
from site.inputs import MAX_ID

# Text that a lenient parser reads as a number: ``str.isdigit`` passes "²",
# ``int`` reads "١٢", "５", " 1", "+1" and "1_0"; past 4,300 digits ``int``
# refuses with a ValueError of its own.
NUMBERISH = (
    "²",
    "١٢",
    "５",
    "１",
    "٣",
    "0",
    "00",
    "01",
    "-1",
    "+1",
    " 1",
    "1 ",
    "1\n",
    "1.0",
    "1e3",
    "0x10",
    "1_0",
    "0_1",
    "9" * 19,
    "9" * 20,
    "9" * 40,
    "9" * 5000,
    str(MAX_ID),
    str(MAX_ID + 1),
    str(2**70),
    "NaN",
    "Infinity",
    "true",
    "null",
    "",
    " ",
)
AWKWARD_TEXT = (
    "\x00",
    "a\x00b",
    "\u200b",
    "\ufeff",
    "\u202e",
    "\r\n",
    "é" * 10,
    "🙂" * 10,
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}",
    "%s%n",
    "' OR 1=1 --",
    '"',
    "*",
    "wiki*",
    "a OR",
    "NOT",
    "NEAR(a b)",
    "a AND (b OR",
    "col:wiki",
    "^wiki",
    "../../etc/passwd",
    "x" * 5000,
    "x" * 5001,
)
# Comment bodies that make Markdown or the mention scanner work hard.
MARKDOWN_BOMBS = (
    ">" * 3000,
    "[" * 3000,
    "](" * 1500,
    "`" * 3000,
    "*" * 3000,
    "- " * 1500,
    "1. " * 1000,
    "&#" * 2000,
    "@" + "a" * 200,
    " ".join(f"@user{n}" for n in range(300)),
    "```" + "x" * 3000,
    "[a](javascript:alert(1))",
)
HUGE_NUMBERS = (2**31, 2**53 + 1, MAX_ID, MAX_ID + 1, 2**64, 2**70, -(2**70), 10**40)
# A frame or body just over the 64 KiB that the protocol allows.
OVER_LIMIT = 64 * 1024 + 1
DEEP = 10_000
RAW_JSON = (
    "[" * DEEP,
    "[" * DEEP + "]" * DEEP,
    '{"a":' * DEEP + "1" + "}" * DEEP,
    '{"type": "sync", "after": ' + "[" * DEEP,
    "[" * 9 + "]" * 9,  # one level past the limit
    '"' + "[" * DEEP + '"',  # brackets inside a string nest nothing
    '"' + "\\\\" * 2000 + '"',
    '"\\ud800"',
    '{"type": "comment.create", "body": "\\ud800", "parent": null, "client_id": "x"}',
    '{"type": "comment.create", "body": "ok", "parent": null, "client_id": "\\udfff"}',
    '{"\\ud800": 1, "type": "typing"}',
    '{"type": "sync\\u0000", "after": 1}',
    '{"type": "comment.create", "body": "a\\u0000b", "parent": null, "client_id": "nul"}',
    '{"type": "sync", "after": 1e400}',
    '{"type": "sync", "after": ' + "9" * 5000 + "}",
    '{"type": "sync", "after": -0}',
    '{"type": "sync", "after": 1.0}',
    '{"type": "sync", "after": true}',
    '{"type": "sync", "type": "typing"}',
    '{"body": "x", "client_id": "dup", "body": 7}',
    "\ufeff{}",
    "NaN",
    "-Infinity",
    "null",
    "[]",
    '""',
    "{}",
    "{",
    '{"type"',
    "\x00",
    "",
    " ",
)


@dataclass(frozen=True)
class Ref:
    """The id of something a test seeded, by name; ``template`` makes it text ("q-{}")."""

    name: str
    template: str | None = None


def resolve(value: object, ids: dict[str, object]) -> object:
    """``value`` with every ``Ref`` in it (keys included) replaced by the id it names."""
    if isinstance(value, Ref):
        found = ids[value.name]
        return value.template.format(found) if value.template else found
    if isinstance(value, list):
        return [resolve(item, ids) for item in value]
    if isinstance(value, dict):
        return {resolve(key, ids): resolve(item, ids) for key, item in value.items()}
    return value


def refs(*names: str, template: str | None = None) -> st.SearchStrategy[Ref]:
    return st.sampled_from([Ref(name, template) for name in names])


# --- text --------------------------------------------------------------------

# Lone surrogates: Python strings can hold them, UTF-8 cannot encode them.
lone_surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)

# What a form field or a query string can carry: no surrogates (a form is UTF-8).
form_text = st.one_of(
    st.sampled_from(NUMBERISH + AWKWARD_TEXT),
    st.text(max_size=30),
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),
)

# Raw query-string values: percent-escapes of NUL, a surrogate's UTF-8 bytes
# (invalid UTF-8), stray bytes and separators, besides encoded form text.
RAW_QUERY = ("%00", "1%00", "%ED%A0%80", "%FF", "%C0%AF", "%", "%zz", "%EF%BC%95", "%D9%A1%D9%A2", "%C2%B2")
query_values = st.one_of(form_text.map(lambda text: quote(text, safe="")), st.sampled_from(RAW_QUERY))

# One path segment, as sent (percent-encoded); "%2F" is a slash once decoded.
path_segments = st.one_of(
    form_text.map(lambda text: quote(text, safe="")),
    st.integers().map(str),
    st.sampled_from(["99999999999999999999999", str(MAX_ID), str(MAX_ID + 1), *RAW_QUERY, "%2F", ".."]),
)


# --- JSON ----------------------------------------------------------------------

json_text = st.one_of(
    st.text(max_size=20), st.sampled_from(NUMBERISH + AWKWARD_TEXT + MARKDOWN_BOMBS[:3]), lone_surrogates
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_NUMBERS),
    st.floats(),  # NaN and Infinity too: Python's json reads what json.dumps writes
    json_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
    max_leaves=8,
)


def ids_or_garbage(*names: str) -> st.SearchStrategy:
    """An id field: a seeded id, a plausible number, or any JSON value at all."""
    return st.one_of(refs(*names), st.integers(-3, 3), st.sampled_from(HUGE_NUMBERS), json_values)


bodies = st.one_of(
    st.text(min_size=1, max_size=40), st.sampled_from(AWKWARD_TEXT + MARKDOWN_BOMBS), json_values
)
client_ids = st.one_of(
    st.text(min_size=1, max_size=64), st.sampled_from(["", " ", "x" * 64, "x" * 65, "\x00"]), json_values
)


@dataclass(frozen=True)
class JsonFrame:
    """A message to encode as JSON text: ``ascii`` escapes non-ASCII (surrogates as \\ud800)."""

    message: object
    ascii: bool

    def text(self, ids: dict[str, object]) -> str:
        return json.dumps(resolve(self.message, ids), ensure_ascii=self.ascii)


def encoded(text: str) -> bytes:
    """``text`` as bytes on the wire; a lone surrogate becomes the invalid UTF-8 a raw client sends."""
    return text.encode("utf-8", "surrogatepass")


# --- thread messages -------------------------------------------------------------

# The comments tests/fuzz/conftest.py seeds (``thread_ids``): one of each kind a write treats differently.
COMMENT_NAMES = ("own", "theirs", "reply", "hidden", "deleted", "question", "answerable")
PROTOCOL_TYPES = (
    "sync",
    "comment.create",
    "comment.edit",
    "comment.delete",
    "comment.hide",
    "reaction.toggle",
    "comment.answer",
    "comment.flag",
    "typing",
)
comment_ids = ids_or_garbage(*COMMENT_NAMES)
# A flag's reason and note: the right ones, the edges of the note's 500 characters, and garbage.
flag_reasons = st.sampled_from(REASONS) | json_values
flag_notes = (
    st.none()
    | st.text(max_size=40)
    | st.sampled_from(AWKWARD_TEXT + ("x" * 500, "x" * 501, " "))
    | json_values
)
# Every field of every client message, each with right and wrong types.
protocol_messages = st.fixed_dictionaries(
    {"type": st.sampled_from(PROTOCOL_TYPES) | json_values},
    optional={
        "after": comment_ids,
        "before": comment_ids,
        "id": comment_ids,
        "parent": st.none() | comment_ids,
        "body": bodies,
        "client_id": client_ids,
        "hidden": st.booleans() | json_values,
        "reaction": st.sampled_from(REACTION_KINDS) | json_values,
        # A flag on comment.create, an id on comment.answer: both, of every type.
        "question": st.booleans() | comment_ids,
        "answer": st.none() | comment_ids,
        "reason": flag_reasons,
        "note": flag_notes,
    },
)
# Text frames: mostly protocol messages, then any JSON, then text that is not JSON.
thread_frames = st.one_of(
    st.builds(JsonFrame, protocol_messages, st.booleans()),
    st.builds(JsonFrame, protocol_messages, st.booleans()),
    st.builds(JsonFrame, json_values, st.booleans()),
    st.sampled_from(RAW_JSON),
    st.text(max_size=40),
    lone_surrogates,
)
# POST bodies of the comment API: comment-shaped objects, and anything else.
api_payloads = st.builds(
    JsonFrame,
    st.fixed_dictionaries(
        {},
        optional={
            "body": bodies,
            "parent": st.none() | comment_ids,
            "client_id": client_ids,
            "question": st.booleans() | json_values,
        },
    )
    | json_values,
    st.booleans(),
)
# POST bodies of the answers API: {"question", "answer"} with seeded ids and garbage, and anything else.
answer_payloads = st.builds(
    JsonFrame,
    st.fixed_dictionaries({}, optional={"question": comment_ids, "answer": st.none() | comment_ids})
    | json_values,
    st.booleans(),
)

# POST bodies of the flags API: {"reason", "note"}, and anything else.
flag_payloads = st.builds(
    JsonFrame,
    st.fixed_dictionaries({}, optional={"reason": flag_reasons, "note": flag_notes}) | json_values,
    st.booleans(),
)

# The no-JavaScript thread form: every field it reads, as text (a form carries nothing else).
thread_form_fields = st.fixed_dictionaries(
    {},
    optional={
        "action": st.sampled_from(
            ["comment", "edit", "flag", "delete", "hide", "show", "react", "answer", "unanswer"]
        )
        | form_text,
        "question": refs(*COMMENT_NAMES, template="{}") | st.just("1") | form_text,
        "body": st.text(min_size=1, max_size=40) | form_text | st.sampled_from(MARKDOWN_BOMBS),
        "parent": refs(*COMMENT_NAMES, template="{}") | form_text,
        "comment": refs(*COMMENT_NAMES, template="{}") | form_text,
        "client_id": st.text(min_size=1, max_size=64) | form_text,
        "reaction": st.sampled_from(REACTION_KINDS) | form_text,
        "reason": st.sampled_from(REASONS) | form_text,
        "note": st.text(max_size=40) | form_text,
        # The buttons under a comment: ``act=<action>:<comment>[:<reaction or question>]``.
        "act": st.builds(
            lambda action, comment, argument: Ref(comment, f"{action}:{{}}{argument}"),
            st.sampled_from(["react", "answer", "unanswer", "delete", "hide", "show", "edit", ""]),
            st.sampled_from(COMMENT_NAMES),
            st.sampled_from(["", ":like", ":", "::", ":1"])
            | form_text.map(lambda text: ":" + text.replace("{", "{{").replace("}", "}}")),
        )
        | form_text,
    },
)

# --- the knowledge check -----------------------------------------------------------

# tests/fuzz/conftest.py's ``lesson_ids``: the quiz's two questions and another lesson's.
question_fields = st.one_of(
    refs("single", "multiple", "elsewhere", template="q-{}"),
    form_text.map(lambda text: f"q-{text}"),
    form_text,
)
knowledge_check_fields = st.dictionaries(
    question_fields,
    st.lists(st.sampled_from(["0", "1", "2", "3"]) | form_text, max_size=3),
    max_size=3,
)
