"""The demo's data files, read into records and checked before anything is written.

Each TOML file in this folder holds one part of the demo, and each field of
``DemoData`` names the file it comes from. ``demo_data()`` reads them all and
raises ``DemoDataError``, naming the file and the record, when a record has a
field nothing reads, lacks one it needs, holds a value of the wrong type or
points at something no file defines. StreamField bodies are checked against
the page models' own block definitions, so a misspelt block field fails here
instead of vanishing from the page.
"""

import tomllib
import types
from collections.abc import Iterable, Iterator
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, get_args, get_origin

from wagtail import blocks

from blog.models import BlogPostPage, MentorPair
from blog.threads.selectors import REACTION_KINDS
from learning.models import LessonPage

DATA_DIR = Path(__file__).parent


class DemoDataError(ValueError):
    """A demo data file does not say what the loader needs; the message names the file and record."""


# --- Records: one dataclass per kind of table ---------------------------------


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    username: str
    job_title: str
    team: str
    joined_months_ago: int
    bio: str = ""
    can_teach: tuple[str, ...] = ()
    wants_to_learn: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    slug: str
    name: str
    first_member: str
    first_member_brings: str
    second_member: str
    second_member_brings: str
    goals: str
    started_days_ago: int
    status: str


@dataclass(frozen=True)
class Goal:
    pair: str
    learner: str
    text: str
    status: str = "open"


@dataclass(frozen=True)
class CheckIn:
    pair: str
    author: str
    days_ago: int
    did: str
    next: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


@dataclass(frozen=True)
class Image:
    key: str
    title: str
    heading: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    pair: str
    days_ago: int
    intro: str
    tags: tuple[str, ...]
    # Raw StreamField data once read: [{"type": ..., "value": ...}, ...], images by key.
    body: tuple[dict, ...]


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    prompt: str
    choices: tuple[Choice, ...]
    explanation: str


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    days_ago: int
    objective: str
    tags: tuple[str, ...]
    takeaways: tuple[str, ...]
    body: tuple[dict, ...]
    questions: tuple[Question, ...]
    pair: str | None = None
    inspired_by: str | None = None


@dataclass(frozen=True)
class Collection:
    slug: str
    title: str
    description: str
    curator: str
    tags: tuple[str, ...]
    items: tuple[str, ...]
    featured: bool = False


@dataclass(frozen=True)
class Follow:
    person: str
    topics: tuple[str, ...] = ()
    pairs: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnowledgeCheck:
    person: str
    lesson: str
    wrong_questions: tuple[int, ...] = ()
    days_ago: int = 0


@dataclass(frozen=True)
class Read:
    person: str
    post: str


@dataclass(frozen=True)
class TopicRequest:
    title: str
    asked_by: str
    days_ago: int
    topics: tuple[str, ...]
    details: str = ""
    votes: tuple[str, ...] = ()
    claimed_by: str = ""
    answer: str = ""
    declined_reason: str = ""


@dataclass(frozen=True)
class ThreadReply:
    author: str
    body: str


@dataclass(frozen=True)
class PromotedLesson:
    """The lesson a question's conversation became: promoted by a host or editor, published by an editor."""

    title: str
    objective: str
    takeaways: str
    promoted_by: str
    published_by: str
    replies: tuple[int, ...] = ()  # the replies quoted with the question, numbered from 1


@dataclass(frozen=True)
class ThreadQuestion:
    """A question asked of a post's or lesson's pair, its replies, and which one a host marked."""

    page: str  # a post's or a lesson's slug
    asker: str
    body: str
    replies: tuple[ThreadReply, ...] = ()
    answer: int = 0  # the reply (numbered from 1) marked as the answer; 0 leaves it open
    marked_by: str = ""  # who marked it: a member of the page's pair
    lesson: PromotedLesson | None = None


@dataclass(frozen=True)
class Reaction:
    kind: str  # one of the thread's reaction kinds: like, learned, insightful, question
    by: tuple[str, ...]  # usernames


@dataclass(frozen=True)
class TalkReply:
    author: str
    body: str
    reactions: tuple[Reaction, ...] = ()


@dataclass(frozen=True)
class TalkComment:
    author: str
    body: str
    reactions: tuple[Reaction, ...] = ()
    replies: tuple[TalkReply, ...] = ()


@dataclass(frozen=True)
class Conversation:
    """The comments on one post or lesson, oldest first, each with its replies and reactions."""

    page: str  # a post's or a lesson's slug
    comments: tuple[TalkComment, ...]
    days_ago: int = 0  # when its last comment was written


def _in(file: str, default: Any = MISSING) -> Any:
    return field(default=default, metadata={"file": file})


@dataclass(frozen=True)
class DemoData:
    """Everything the demo holds; each field is a top-level key of the file it names."""

    password: str = _in("people.toml")
    email_domain: str = _in("people.toml")
    people: tuple[Person, ...] = _in("people.toml")
    profiles: tuple[Profile, ...] = _in("profiles.toml")
    pairs: tuple[Pair, ...] = _in("pairs.toml")
    images: tuple[Image, ...] = _in("images.toml")
    posts: tuple[Post, ...] = _in("posts.toml")
    lessons: tuple[Lesson, ...] = _in("lessons.toml")
    collections: tuple[Collection, ...] = _in("collections.toml")
    goals: tuple[Goal, ...] = _in("pairs.toml", ())
    check_ins: tuple[CheckIn, ...] = _in("pairs.toml", ())
    follows: tuple[Follow, ...] = _in("activity.toml", ())
    knowledge_checks: tuple[KnowledgeCheck, ...] = _in("activity.toml", ())
    reads: tuple[Read, ...] = _in("activity.toml", ())
    requests: tuple[TopicRequest, ...] = _in("requests.toml", ())
    thread_questions: tuple[ThreadQuestion, ...] = _in("questions.toml", ())
    conversations: tuple[Conversation, ...] = _in("conversations.toml", ())


DATA_FILES = tuple(sorted({f.metadata["file"] for f in fields(DemoData)}))


def demo_data(directory: Path = DATA_DIR) -> DemoData:
    """Read and check every demo data file in ``directory``; raise ``DemoDataError`` on the first fault."""
    values = {}
    for name in DATA_FILES:
        try:
            table = tomllib.loads((directory / name).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise DemoDataError(f"{name}: not valid TOML: {error}") from error
        own_fields = [f for f in fields(DemoData) if f.metadata["file"] == name]
        values.update(_read_fields(own_fields, table, where=name))
    data = DemoData(**values)
    data = replace(
        data,
        posts=tuple(
            replace(post, body=_stream_data(post.body, _POST_BODY, f"{where}, body"))
            for where, post in _labelled(data, "posts")
        ),
        lessons=tuple(
            replace(lesson, body=_stream_data(lesson.body, _LESSON_BODY, f"{where}, body"))
            for where, lesson in _labelled(data, "lessons")
        ),
    )
    _check_references(data)
    return data


# --- Reading tables into records ----------------------------------------------


def _read_fields(expected: Iterable[Field], table: Any, *, where: str) -> dict[str, Any]:
    """The values of ``expected`` fields in ``table``: every key known, every required one given."""
    if not isinstance(table, dict):
        raise DemoDataError(f"{where}: expected a table, got {table!r}")
    expected = list(expected)
    known = {f.name: f for f in expected}
    unknown = sorted(table.keys() - known.keys())
    if unknown:
        raise DemoDataError(f"{where}: unknown field {', '.join(unknown)}; known fields: {', '.join(known)}")
    missing = [
        f.name
        for f in expected
        if f.name not in table and f.default is MISSING and f.default_factory is MISSING
    ]
    if missing:
        raise DemoDataError(f"{where}: missing field {', '.join(missing)}")
    return {name: _read_value(known[name].type, raw, where=f"{where}, {name}") for name, raw in table.items()}


def _read_value(kind: Any, raw: Any, *, where: str) -> Any:
    """``raw`` as a value of ``kind`` (a record, a tuple of them, or a plain TOML type)."""
    if get_origin(kind) is tuple:
        item_kind = get_args(kind)[0]
        if not isinstance(raw, list):
            raise DemoDataError(f"{where}: expected a list, got {raw!r}")
        return tuple(
            _read_value(item_kind, item, where=_item_label(where, number, item, item_kind))
            for number, item in enumerate(raw, start=1)
        )
    if isinstance(kind, types.UnionType):
        # `str | None`: TOML has no null, so a value that is there is the other type.
        (kind,) = (arg for arg in get_args(kind) if arg is not type(None))
    if is_dataclass(kind):
        return kind(**_read_fields(fields(kind), raw, where=where))
    if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if not isinstance(raw, kind) or (kind is int and isinstance(raw, bool)):
        raise DemoDataError(f"{where}: expected {kind.__name__}, got {raw!r}")
    return raw


def _item_label(where: str, number: int, item: Any, item_kind: Any) -> str:
    """``posts.toml, posts no. 4 (slug = "ten-tags")``: the place, and the record's own name."""
    label = f"{where} no. {number}"
    if isinstance(item, dict):
        name_field = (
            "type" if item_kind is dict else fields(item_kind)[0].name if is_dataclass(item_kind) else ""
        )
        if isinstance(item.get(name_field), str):
            label += f' ({name_field} = "{item[name_field]}")'
    return label


def _labelled(data: DemoData, key: str) -> Iterator[tuple[str, Any]]:
    """Each record under ``key`` with the label a fault in it is reported under."""
    file = next(f.metadata["file"] for f in fields(DemoData) if f.name == key)
    for number, record in enumerate(getattr(data, key), start=1):
        name_field = fields(record)[0].name
        yield f'{file}, {key} no. {number} ({name_field} = "{getattr(record, name_field)}")', record


# --- StreamField bodies -------------------------------------------------------

_POST_BODY: blocks.StreamBlock = BlogPostPage._meta.get_field("body").stream_block
_LESSON_BODY: blocks.StreamBlock = LessonPage._meta.get_field("body").stream_block


def _stream_data(
    raw_blocks: tuple[dict, ...], stream_block: blocks.StreamBlock, where: str
) -> tuple[dict, ...]:
    """Flat TOML block tables as raw StreamField data, each checked against ``stream_block``.

    A structured block's fields sit beside its ``type``; a plain block (rich
    text, an embed) has one field, ``value``. Defaults the block defines (a
    heading's level) are filled in, as the page editor would store them.
    """
    stream = []
    for number, raw in enumerate(raw_blocks, start=1):
        here = _item_label(where, number, raw, dict)
        given = {key: value for key, value in raw.items() if key != "type"}
        block = stream_block.child_blocks.get(raw.get("type"))
        if block is None:
            raise DemoDataError(
                f"{here}: unknown block type; known types: {', '.join(stream_block.child_blocks)}"
            )
        if not isinstance(block, blocks.StructBlock):
            if given.keys() != {"value"}:
                raise DemoDataError(f"{here}: a {raw['type']} block has one field, value")
            stream.append({"type": raw["type"], "value": given["value"]})
            continue
        children = block.child_blocks
        unknown = sorted(given.keys() - children.keys())
        if unknown:
            raise DemoDataError(
                f"{here}: unknown field {', '.join(unknown)}; known fields: {', '.join(children)}"
            )
        defaults = {name: child.get_default() for name, child in children.items()}
        missing = [
            name
            for name, child in children.items()
            if child.required and defaults[name] is None and name not in given
        ]
        if missing:
            raise DemoDataError(f"{here}: missing field {', '.join(missing)}")
        value = {name: given.get(name, default) for name, default in defaults.items()}
        stream.append({"type": raw["type"], "value": {k: v for k, v in value.items() if v is not None}})
    return tuple(stream)


# --- References between files -------------------------------------------------


def _check_references(data: DemoData) -> None:
    """Every slug, username, key and topic a record names is defined somewhere, once."""
    people = _unique(data, "people", "username")
    pairs = _unique(data, "pairs", "slug")
    images = _unique(data, "images", "key")
    posts = _unique(data, "posts", "slug")
    lessons = _unique(data, "lessons", "slug")
    _unique(data, "collections", "slug")
    topics = {
        tag.lower()
        for key in ("posts", "lessons", "collections")
        for r in getattr(data, key)
        for tag in r.tags
    }

    for key in ("goals", "check_ins"):
        for where, item in _labelled(data, key):
            _names(where, "pair", item.pair, pairs, "pairs.toml")
            person = item.learner if key == "goals" else item.author
            _names(where, "learner" if key == "goals" else "author", person, people, "people.toml")
    for where, goal in _labelled(data, "goals"):
        if goal.status not in {"open", "in_progress", "achieved"}:
            raise DemoDataError(f"{where}: status {goal.status!r}: say open, in_progress or achieved")

    for where, profile in _labelled(data, "profiles"):
        _names(where, "username", profile.username, people, "people.toml")
    _unique(data, "profiles", "username")

    for where, pair in _labelled(data, "pairs"):
        _names(where, "first_member", pair.first_member, people, "people.toml")
        _names(where, "second_member", pair.second_member, people, "people.toml")
        if pair.status not in MentorPair.Status.values:
            raise DemoDataError(f"{where}: status must be one of {', '.join(MentorPair.Status.values)}")
    for where, post in _labelled(data, "posts"):
        _names(where, "pair", post.pair, pairs, "pairs.toml")
        _images_named(where, post.body, images)
    for where, lesson in _labelled(data, "lessons"):
        if lesson.slug in posts:
            raise DemoDataError(f"{where}: slug is also a post's; a collection item must name one page")
        if lesson.pair is not None:
            _names(where, "pair", lesson.pair, pairs, "pairs.toml")
        if lesson.inspired_by is not None:
            _names(where, "inspired_by", lesson.inspired_by, posts, "posts.toml")
        _images_named(where, lesson.body, images)
        for number, question in enumerate(lesson.questions, start=1):
            if not any(choice.correct for choice in question.choices):
                raise DemoDataError(f"{where}, questions no. {number}: no choice says correct = true")
            if len(question.choices) < 2:
                raise DemoDataError(f"{where}, questions no. {number}: a question needs two choices or more")
    for where, collection in _labelled(data, "collections"):
        _names(where, "curator", collection.curator, people, "people.toml")
        for item in collection.items:
            _names(where, "items", item, posts | lessons, "posts.toml or lessons.toml")
    for where, follow in _labelled(data, "follows"):
        _names(where, "person", follow.person, people, "people.toml")
        for topic in follow.topics:
            if topic.lower() not in topics:
                raise DemoDataError(f"{where}: topics {topic!r} is no post's, lesson's or collection's tag")
        for pair_slug in follow.pairs:
            _names(where, "pairs", pair_slug, pairs, "pairs.toml")
    for where, check in _labelled(data, "knowledge_checks"):
        _names(where, "person", check.person, people, "people.toml")
        _names(where, "lesson", check.lesson, lessons, "lessons.toml")
        questions = lessons[check.lesson].questions
        for number in check.wrong_questions:
            if not 1 <= number <= len(questions):
                raise DemoDataError(
                    f"{where}: wrong_questions {number}: the lesson has {len(questions)} questions"
                )
            if all(choice.correct for choice in questions[number - 1].choices):
                raise DemoDataError(f"{where}: wrong_questions {number}: that question has no wrong choice")
    for where, read in _labelled(data, "reads"):
        _names(where, "person", read.person, people, "people.toml")
        _names(where, "post", read.post, posts, "posts.toml")
    for where, question in _labelled(data, "thread_questions"):
        _names(where, "page", question.page, posts | lessons, "posts.toml or lessons.toml")
        for person in (question.asker, *(r.author for r in question.replies)):
            _names(where, "asker or replies' author", person, people, "people.toml")
        if not 0 <= question.answer <= len(question.replies):
            raise DemoDataError(f"{where}: answer {question.answer}: it has {len(question.replies)} replies")
        page = posts.get(question.page) or lessons[question.page]
        pair = pairs.get(page.pair) if page.pair else None
        hosts = {pair.first_member, pair.second_member} if pair else set()
        if question.answer and question.marked_by not in hosts:
            raise DemoDataError(
                f"{where}: marked_by must be a member of the page's pair ({', '.join(sorted(hosts))})"
            )
        if question.lesson is not None:
            _check_promoted(f"{where}, lesson", question.lesson, question, people=people, hosts=hosts)
    _check_requests(data, people=people, pairs=pairs, pages=posts | lessons)
    _check_conversations(data, people=people, pages=posts | lessons)


def _check_conversations(data: DemoData, *, people: dict, pages: dict) -> None:
    """Each conversation is on a known page, once, written and reacted to by known people."""
    _unique(data, "conversations", "page")
    for where, conversation in _labelled(data, "conversations"):
        _names(where, "page", conversation.page, pages, "posts.toml or lessons.toml")
        if not conversation.comments:
            raise DemoDataError(f"{where}: comments: a conversation needs at least one")
        for number, comment in enumerate(conversation.comments, start=1):
            here = f"{where}, comments no. {number}"
            for said in (comment, *comment.replies):
                _names(here, "author", said.author, people, "people.toml")
                for reaction in said.reactions:
                    if reaction.kind not in REACTION_KINDS:
                        raise DemoDataError(
                            f"{here}: reaction {reaction.kind!r}: say {', '.join(REACTION_KINDS)}"
                        )
                    for person in reaction.by:
                        _names(here, "reactions' by", person, people, "people.toml")
                    if len(set(reaction.by)) != len(reaction.by):
                        raise DemoDataError(f"{here}: reaction {reaction.kind!r} names someone twice")


def _check_promoted(where: str, lesson: PromotedLesson, question, *, people: dict, hosts: set) -> None:
    """Promoted by a host or an editor, published by an editor, quoting replies the question has."""
    editors = {name for name, person in people.items() if "Editors" in person.groups}
    if lesson.promoted_by not in hosts | editors:
        raise DemoDataError(f"{where}: promoted_by must be an editor or a member of the page's pair")
    if lesson.published_by not in editors:
        raise DemoDataError(f"{where}: published_by must be an editor ({', '.join(sorted(editors))})")
    for number in lesson.replies:
        if not 1 <= number <= len(question.replies):
            raise DemoDataError(f"{where}: replies {number}: it has {len(question.replies)} replies")


def _check_requests(data: DemoData, *, people: dict, pairs: dict, pages: dict) -> None:
    """Each request names known people, an active pair, and an answer that pair wrote."""
    _unique(data, "requests", "title")
    for where, request in _labelled(data, "requests"):
        _names(where, "asked_by", request.asked_by, people, "people.toml")
        for voter in request.votes:
            _names(where, "votes", voter, people, "people.toml")
        if not request.topics:
            raise DemoDataError(f"{where}: topics: a request needs at least one")
        if request.claimed_by:
            _names(where, "claimed_by", request.claimed_by, pairs, "pairs.toml")
            if pairs[request.claimed_by].status != "active":
                raise DemoDataError(f"{where}: claimed_by {request.claimed_by!r} is not an active pair")
        if request.answer:
            _names(where, "answer", request.answer, pages, "posts.toml or lessons.toml")
            if pages[request.answer].pair != request.claimed_by:
                raise DemoDataError(f"{where}: answer {request.answer!r} is not a page of claimed_by's pair")
        if request.declined_reason and request.claimed_by:
            raise DemoDataError(f"{where}: a declined request has no claimed_by")


def _unique(data: DemoData, key: str, name_field: str) -> dict[str, Any]:
    """The records under ``key`` by their name; a name used twice is a fault."""
    named = {}
    for where, record in _labelled(data, key):
        name = getattr(record, name_field)
        if name in named:
            raise DemoDataError(f"{where}: a second record with {name_field} = {name!r}")
        named[name] = record
    return named


def _names(where: str, field_name: str, value: str, known: Iterable[str], defined_in: str) -> None:
    if value not in known:
        raise DemoDataError(f"{where}: {field_name} {value!r} is not in {defined_in}")


def _images_named(where: str, body: tuple[dict, ...], images: dict[str, Image]) -> None:
    for number, block in enumerate(body, start=1):
        if block["type"] == "image":
            _names(f"{where}, body no. {number}", "image", block["value"]["image"], images, "images.toml")
