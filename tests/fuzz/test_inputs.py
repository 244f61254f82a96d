"""Generated garbage against every input the site reads; docs/threads-protocol.md for the thread's.

Each test drives one surface through the real stack (the test client, the
ASGI application's WebSocket routes) and checks what a client would notice:
no 5xx and no traceback over HTTP (the test client re-raises one); no
WebSocket closed except with the protocol's 4003/4009 for a binary or
oversized frame (an exception in a consumer is what daphne answers with
1011); nothing written when the input is refused; and a normal request still
answered afterwards.
"""

import json
import os
import re
from urllib.parse import unquote, urlencode, urlsplit

from django.http import QueryDict

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from blog.threads.errors import HTTP_STATUS
from blog.threads.models import (
    BODY_MAX_LENGTH,
    CLIENT_ID_MAX_LENGTH,
    Comment,
    CommentFlag,
    Notification,
    Reaction,
)
from learning.models import Completion, KnowledgeCheckAttempt, PairFollow, ReviewSchedule, TopicFollow
from site.inputs import MAX_ID
from tests.conftest import IN_CI
from tests.fuzz.strategies import (
    OVER_LIMIT,
    RAW_JSON,
    JsonFrame,
    Ref,
    answer_payloads,
    api_payloads,
    encoded,
    form_text,
    knowledge_check_fields,
    lone_surrogates,
    path_segments,
    query_values,
    refs,
    resolve,
    thread_form_fields,
    thread_frames,
)

# PAIRWISE_FUZZ_SCALE=20 hunts longer than the bounded run that CI makes.
SCALE = int(os.environ.get("PAIRWISE_FUZZ_SCALE", "1"))
FRAME_LIMIT = OVER_LIMIT - 1
SURROGATE = re.compile("[\ud800-\udfff]")
PEOPLE = st.sampled_from(["staff", "editor", "anonymous"])
SINGLE = Ref("single", "q-{}")  # the quiz's single-choice question, as its form field


def fuzz(examples: int) -> settings:
    """A test's hypothesis settings: at most ``examples`` inputs, no deadline (CI has 2 slow cores).

    A test's examples share its function-scoped fixtures on purpose (each
    compares the database before and after itself). CI tries the same inputs
    every run; a developer's run tries new ones. No example database: the
    work tree stays clean, and a failure prints its ``@reproduce_failure``.
    """
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=IN_CI,
        database=None,
        print_blob=True,
    )


# --- what the database holds, and what the client sees ------------------------------------


def db_state() -> dict[str, list]:
    """Every row a client's input can write, to compare before and after one input."""
    return {
        "comments": list(
            Comment.objects.order_by("pk").values_list(
                "pk", "body", "deleted", "hidden", "edited", "question", "answer", "accepted"
            )
        ),
        "reactions": list(Reaction.objects.order_by("pk").values_list("comment_id", "user_id", "kind")),
        "flags": list(
            CommentFlag.objects.order_by("pk").values_list("comment_id", "flagger_id", "reason", "note")
        ),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read")),
        "attempts": list(KnowledgeCheckAttempt.objects.order_by("pk").values_list("pk", flat=True)),
        "completions": list(Completion.objects.order_by("pk").values_list("user_id", "page_id")),
        "reviews": list(ReviewSchedule.objects.order_by("pk").values_list("pk", "step", "due_on")),
        "topic_follows": list(TopicFollow.objects.order_by("pk").values_list("user_id", "tag_id")),
        "pair_follows": list(PairFollow.objects.order_by("pk").values_list("user_id", "pair_id")),
    }


def changes(before: dict[str, list], after: dict[str, list]) -> set[str]:
    return {table for table in before if before[table] != after[table]}


def whole_number(text: str | None) -> int | None:
    """The id ``text`` names by the site's rule: ASCII digits, at most ``MAX_ID``."""
    if text is None or not re.fullmatch(r"[0-9]{1,19}", text) or int(text) > MAX_ID:
        return None
    return int(text)


def query_value(query: str, name: str) -> str | None:
    """What the view reads from ``request.GET[name]`` for this raw query string."""
    return QueryDict(query).get(name)


def usable_text(value: object, *, longest: int) -> bool:
    """Text the thread may store: at most ``longest`` characters, no NUL, no lone surrogate."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= longest
        and "\x00" not in value
        and not SURROGATE.search(value)
    )


def comment_must_be_refused(body: object, client_id: object) -> bool:
    """Whether the protocol refuses this body and client_id, whatever else the request says."""
    return not (
        usable_text(body, longest=BODY_MAX_LENGTH)
        and body.strip()
        and usable_text(client_id, longest=CLIENT_ID_MAX_LENGTH)
    )


def answered(response):
    """``response``, once it is known not to be a server error."""
    assert response.status_code < 500, f"{response.status_code}: {response.content[:500]!r}"
    return response


def api_url(page_or_id) -> str:
    return f"/api/threads/{getattr(page_or_id, 'pk', page_or_id)}/comments/"


def form_post(client, url: str, fields: dict, **extra):
    """POST ``fields`` as a browser's form does (urlencoded: any text, NUL included, survives)."""
    return client.post(
        url, urlencode(fields, doseq=True), content_type="application/x-www-form-urlencoded", **extra
    )


def sign_in(client, user) -> None:
    if user is None:
        client.logout()
    else:
        client.force_login(user)


def still_serving(client, post) -> None:
    """A normal request after the garbage: the thread's comment list."""
    response = client.get(api_url(post))
    assert response.status_code == 200 and "comments" in response.json()


# --- the thread's JSON API --------------------------------------------------------------


@pytest.mark.django_db
@fuzz(25)
@given(after=st.none() | query_values, before=st.none() | query_values)
@example(after="99999999999999999999999", before=None)
@example(after="%D9%A1%D9%A2", before=None)  # "١٢", which int() reads as 12
@example(after=None, before=str(2**70))
@example(after="1", before="1")
@example(after="", before=None)
def test_comment_list_reads_any_cursor(client, post, thread_ids, after, before):
    given_cursors = (("after", after), ("before", before))
    query = "&".join(f"{name}={value}" for name, value in given_cursors if value is not None)
    cursors = [query_value(query, name) for name in ("after", "before")]
    valid = all(c is None or whole_number(c) is not None for c in cursors) and None in cursors
    state = db_state()

    response = answered(client.get(f"{api_url(post)}?{query}"))

    assert response.status_code == (200 if valid else 400)
    if valid:
        assert all(isinstance(c["id"], int) for c in response.json()["comments"])
    else:
        assert response.json()["error"]["code"] == "invalid"
    assert db_state() == state
    still_serving(client, post)


@pytest.mark.django_db
@fuzz(25)
@given(segment=path_segments)
@example(segment="99999999999999999999999")
@example(segment=str(2**70))
@example(segment="%EF%BC%95")  # "５"
def test_comment_api_path_names_no_other_thread(client, post, segment):
    names_post = whole_number(unquote(segment)) == post.pk

    listed = answered(client.get(api_url(segment)))
    posted = answered(client.post(api_url(segment), data="{}", content_type="application/json"))

    assert listed.status_code == (200 if names_post else 404)
    # Anonymous: refused for want of a sign-in where there is a thread, as missing elsewhere.
    assert posted.status_code == (401 if names_post else 404)
    assert not Comment.objects.exists()
    still_serving(client, post)


@pytest.mark.django_db
@fuzz(30)
@given(frame=api_payloads, csrf=st.sampled_from(["header", "missing", "wrong"]))
@example(frame=JsonFrame({"body": "\ud800", "parent": None, "client_id": "s"}, ascii=True), csrf="header")
@example(frame=JsonFrame({"body": "ok", "parent": None, "client_id": "\ud800"}, ascii=False), csrf="header")
@example(frame=JsonFrame({"body": "a\x00b", "parent": None, "client_id": "n"}, ascii=True), csrf="header")
@example(frame=JsonFrame({"body": "ok", "parent": 2**70, "client_id": "h"}, ascii=True), csrf="header")
@example(frame=JsonFrame({"body": "ok", "parent": True, "client_id": "b"}, ascii=True), csrf="header")
@example(frame=JsonFrame({"body": "ok", "parent": "١٢", "client_id": "u"}, ascii=True), csrf="header")
@example(frame=JsonFrame({"body": "Fine", "parent": None, "client_id": "fine"}, ascii=True), csrf="wrong")
def test_comment_api_takes_any_json(csrf_client, post, thread_ids, frame, csrf):
    client = csrf_client
    token = {"header": client.cookies["csrftoken"].value, "missing": None, "wrong": "x" * 32}[csrf]
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    payload = resolve(frame.message, thread_ids)
    state = db_state()

    response = answered(
        client.post(
            api_url(post), data=encoded(frame.text(thread_ids)), content_type="application/json", **headers
        )
    )

    after = db_state()
    if response.status_code in (200, 201):
        assert csrf == "header" and isinstance(payload, dict)
        assert not comment_must_be_refused(payload.get("body"), payload.get("client_id"))
        parent = payload.get("parent")
        assert parent is None or (type(parent) is int and 0 <= parent <= MAX_ID)
        comment = response.json()["comment"]
        assert comment["client_id"] == payload["client_id"] and comment["author"]["username"] == "sam"
        assert changes(state, after) <= (
            {"comments", "notifications"} if response.status_code == 201 else set()
        )
    else:
        error = response.json()["error"]
        assert HTTP_STATUS[error["code"]] == response.status_code and error["message"]
        assert csrf == "header" or error["code"] == "forbidden"
        assert after == state
    still_serving(client, post)


@pytest.mark.django_db
@fuzz(30)
@given(frame=answer_payloads, person=PEOPLE)
@example(
    frame=JsonFrame({"question": Ref("question"), "answer": Ref("answerable")}, ascii=True), person="editor"
)
@example(frame=JsonFrame({"question": Ref("question"), "answer": None}, ascii=True), person="editor")
@example(frame=JsonFrame({"question": Ref("question"), "answer": Ref("reply")}, ascii=True), person="editor")
@example(
    frame=JsonFrame({"question": Ref("question"), "answer": Ref("answerable")}, ascii=True), person="staff"
)
@example(frame=JsonFrame({"question": "١٢", "answer": None}, ascii=True), person="editor")
@example(frame=JsonFrame({"question": Ref("question"), "answer": 2**70}, ascii=True), person="editor")
def test_answer_api_takes_any_json(client, post, thread_ids, people, frame, person):
    sign_in(client, people[person])
    payload = resolve(frame.message, thread_ids)
    state = db_state()

    response = answered(
        client.post(
            f"/api/threads/{post.pk}/answers/",
            data=encoded(frame.text(thread_ids)),
            content_type="application/json",
        )
    )

    written = changes(state, db_state())
    if response.status_code == 200:
        assert person == "editor" and payload["question"] == thread_ids["question"]
        assert payload["answer"] in (None, thread_ids["answerable"])
        assert response.json()["comment"]["id"] == thread_ids["question"]
        assert written <= {"comments", "notifications"}
    else:
        error = response.json()["error"]
        assert HTTP_STATUS[error["code"]] == response.status_code and error["message"]
        assert written == set()
    still_serving(client, post)


http_bodies = st.one_of(
    st.sampled_from(RAW_JSON).map(encoded),
    st.text(max_size=40).map(encoded),
    lone_surrogates.map(lambda text: encoded(json.dumps(text, ensure_ascii=False))),
    st.binary(max_size=40),
    st.sampled_from(
        [
            b"\xff",
            b"\xed\xa0\x80",
            b'{"body": "\xff", "parent": null, "client_id": "latin-1"}',
            b"x" * OVER_LIMIT,
            json.dumps({"body": "x" * OVER_LIMIT, "parent": None, "client_id": "big"}).encode(),
        ]
    ),
)


@pytest.mark.django_db
@fuzz(25)
@given(body=http_bodies)
def test_comment_api_refuses_unreadable_bodies(client, post, staff, thread_ids, body):
    client.force_login(staff)
    state = db_state()

    response = answered(client.generic("POST", api_url(post), body, content_type="application/json"))

    error = response.json()["error"]
    assert (response.status_code, error["code"]) in {(400, "invalid"), (413, "too_long")}
    assert db_state() == state
    still_serving(client, post)


MULTIPART_BODY = b'--fuzz\r\nContent-Disposition: form-data; name="body"\r\n\r\nHello\r\n--fuzz--\r\n'


@pytest.mark.django_db
@fuzz(20)
@given(
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-16",
            "text/plain",
            "",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=fuzz",
            "multipart/form-data",
        ]
    ),
    body=st.sampled_from([MULTIPART_BODY, b"body=Hello&client_id=form", b'{"body": "Hi", "client_id": "ct"}'])
    | http_bodies,
)
@example(content_type="multipart/form-data; boundary=fuzz", body=MULTIPART_BODY)
def test_comment_api_answers_any_content_type_in_json(csrf_client, post, thread_ids, content_type, body):
    """The body is JSON whatever the Content-Type says; errors answer in JSON, never a 500."""
    client = csrf_client
    token = client.cookies["csrftoken"].value
    state = db_state()

    # generic(): post() would re-encode the bytes to the charset the Content-Type names.
    response = answered(
        client.generic("POST", api_url(post), body, content_type=content_type, HTTP_X_CSRFTOKEN=token)
    )

    assert response["Content-Type"] == "application/json", response.content[:300]
    if response.status_code not in (200, 201):
        assert HTTP_STATUS[response.json()["error"]["code"]] == response.status_code
        assert db_state() == state
    still_serving(client, post)


# --- the thread without JavaScript ---------------------------------------------------------

# What each action of the form may write when it succeeds (303).
FORM_WRITES = {
    "comment": {"comments", "notifications"},
    "edit": {"comments"},
    "flag": {"flags", "comments", "notifications"},  # the comment when a flag hides it; editors told
    "react": {"reactions"},
    "delete": {"comments"},
    "hide": {"comments"},
    "show": {"comments"},
    "answer": {"comments", "notifications"},
    "unanswer": {"comments"},
}


@pytest.mark.django_db
@fuzz(25)
@given(person=PEOPLE, fields=thread_form_fields)
@example(person="staff", fields={"action": "comment", "body": "a\x00b", "client_id": "nul"})
@example(person="staff", fields={"action": "comment", "body": "Hi", "client_id": "p", "parent": "١٢"})
@example(person="staff", fields={"comment": "99999999999999999999999", "reaction": "like"})
@example(person="staff", fields={"action": "delete", "comment": "²"})
@example(person="editor", fields={"action": "hide", "comment": str(2**70)})
@example(person="staff", fields={"act": "react:99999999999999999999999:like"})
@example(person="staff", fields={"act": "react:1:like\x00", "action": "edit"})
@example(person="editor", fields={"act": "hide:"})
def test_thread_form_takes_any_fields(client, post, thread_ids, people, person, fields):
    fields = resolve(fields, thread_ids)
    sign_in(client, people[person])
    if "act" in fields:  # one of the buttons under a comment: it says the action itself
        action = fields["act"].partition(":")[0]
    else:
        action = fields.get("action") or ("react" if "reaction" in fields else "comment")
    state = db_state()

    response = answered(form_post(client, post.url, {"thread_form": "1", **fields}))

    assert response.status_code in {302, 303, 400, 403, 404, 413, 429}
    written = changes(state, db_state())
    if response.status_code == 303:
        assert person != "anonymous"
        assert written <= FORM_WRITES[action]
        if action == "comment":
            assert not comment_must_be_refused(fields.get("body", ""), fields.get("client_id", ""))
            assert not fields.get("parent") or whole_number(fields["parent"]) is not None
    else:
        assert written == set()
    still_serving(client, post)


# --- the thread's WebSocket -------------------------------------------------------------------

SERVER_FRAMES = {
    "thread.sync",
    "comment.created",
    "comment.updated",
    "comment.deleted",
    "comment.reactions",
    "comment.answered",
    "comment.flagged",
    "typing",
    "presence",
    "error",
}
# Frames that reach the socket from the channel layer, whenever they arrive.
BROADCASTS = {
    "comment.created",
    "comment.updated",
    "comment.deleted",
    "comment.reactions",
    "comment.answered",
    "presence",
}
SOCKET_WRITES = {
    "comment.create": {"comments", "notifications"},
    "comment.edit": {"comments"},
    "comment.delete": {"comments"},
    "comment.hide": {"comments"},
    "reaction.toggle": {"reactions"},
    "comment.answer": {"comments", "notifications"},
    "comment.flag": {"flags", "comments", "notifications"},
}


async def exchange(socket, text: str, number: int) -> list[dict]:
    """The frames the server sends in answer to ``text``.

    A marker message follows ``text``; the consumer handles one frame at a
    time, so what it answered to ``text`` arrives before the marker's error,
    which echoes the marker's ``client_id``. Whatever the application raises
    is raised here: under daphne it would close the socket with 1011.
    """
    communicator = socket.communicator
    marker = f"fuzz-marker-{number}"
    await communicator.send_input({"type": "websocket.receive", "text": text})
    await communicator.send_input(
        {"type": "websocket.receive", "text": json.dumps({"type": "fuzz.marker", "client_id": marker})}
    )
    frames = []
    while True:
        output = await communicator.receive_output(timeout=5)
        assert output["type"] == "websocket.send", f"the socket closed ({output}) after {text[:300]!r}"
        frame = json.loads(output["text"])
        if frame.get("type") == "error" and frame.get("client_id") == marker:
            return frames
        frames.append(frame)


def message_type(text: str) -> str | None:
    """The ``type`` of the message in ``text``, if it is one."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):  # as the server's parser: "[" * 10_000 is no message
        return None
    kind = message.get("type") if isinstance(message, dict) else None
    return kind if isinstance(kind, str) else None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@fuzz(20)
@given(person=PEOPLE, frames=st.lists(thread_frames, min_size=1, max_size=6))
@example(person="staff", frames=list(RAW_JSON[:10]))
@example(person="staff", frames=list(RAW_JSON[10:]))
async def test_thread_socket_answers_any_text_frame(ws, post, thread_ids, people, person, frames):
    socket = await ws(post, people[person])
    state = await database_sync_to_async(db_state)()

    for number, frame in enumerate(frames):
        text = frame if isinstance(frame, str) else frame.text(thread_ids)
        answers = await exchange(socket, text, number)
        after = await database_sync_to_async(db_state)()

        assert {answer["type"] for answer in answers} <= SERVER_FRAMES, answers
        direct = [answer for answer in answers if answer["type"] not in BROADCASTS]
        assert len(direct) <= 1, f"{len(direct)} answers to {text[:300]!r}: {direct}"
        written = changes(state, after)
        if direct and direct[0]["type"] == "error":
            assert written == set(), f"{text[:300]!r} was refused ({direct[0]}) but wrote {written}"
        assert written <= SOCKET_WRITES.get(message_type(text), set()), f"{text[:300]!r} wrote {written}"
        if "comments" in written and message_type(text) == "comment.create":
            new = {row[0] for row in after["comments"]} - {row[0] for row in state["comments"]}
            assert new == {
                answer["comment"]["id"] for answer in answers if answer["type"] == "comment.created"
            }
        state = after

    await socket.send({"type": "sync", "after": 0})
    assert (await socket.expect("thread.sync"))["last_id"] is not None
    await socket.close()


def near_the_limit(char: str) -> st.SearchStrategy[str]:
    """``char`` repeated to a few characters either side of 64 KiB of UTF-8."""
    middle = FRAME_LIMIT // len(encoded(char))
    return st.integers(middle - 2, middle + 2).map(lambda count: char * count)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@fuzz(10)
@given(
    person=PEOPLE,
    frame=st.binary(max_size=100)
    | st.sampled_from(["x", "é", "🙂", "\ud800"]).flatmap(near_the_limit)
    | near_the_limit("x").map(
        lambda body: f'{{"type": "comment.create", "client_id": "big", "body": "{body}"}}'
    ),
)
@example(person="staff", frame=b"")
@example(person="staff", frame="x" * FRAME_LIMIT)
@example(person="staff", frame="é" * (FRAME_LIMIT // 2 + 1))
async def test_thread_socket_closes_only_for_binary_or_oversized_frames(
    ws, post, thread_ids, people, person, frame
):
    socket = await ws(post, people[person])
    communicator = socket.communicator
    state = await database_sync_to_async(db_state)()
    closes = isinstance(frame, bytes) or len(encoded(frame)) > FRAME_LIMIT
    expected_code, expected_close = ("invalid", 4003) if isinstance(frame, bytes) else ("too_long", 4009)

    if not closes:
        answers = await exchange(socket, frame, 0)
        assert [answer["type"] for answer in answers if answer["type"] != "presence"] == ["error"]
    else:
        key = "bytes" if isinstance(frame, bytes) else "text"
        await communicator.send_input({"type": "websocket.receive", key: frame})
        frames = []
        while (output := await communicator.receive_output(timeout=5))["type"] == "websocket.send":
            frames.append(json.loads(output["text"]))
        assert output == {"type": "websocket.close", "code": expected_close}
        assert [f["code"] for f in frames if f["type"] == "error"] == [expected_code]
    assert await database_sync_to_async(db_state)() == state
    await socket.close()

    again = await ws(post, people[person])
    await again.send({"type": "sync", "after": 0})
    assert (await again.expect("thread.sync"))["comments"]
    await again.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@fuzz(10)
@given(segment=path_segments)
# One explicit example only: while routing fails, each failing handshake waits out the 5 s timeout.
@example(segment="99999999999999999999999")
async def test_thread_socket_path_names_no_other_thread(ws, post, staff, segment):
    """A handshake on a path that names no thread is refused (403), not an application error (500)."""
    names_post = whole_number(unquote(segment)) == post.pk

    socket = await ws(f"/ws/threads/{segment}/", staff, expect_accept=names_post)
    await socket.close()

    again = await ws(post, staff)
    await again.send({"type": "sync", "after": 0})
    await again.expect("thread.sync")
    await again.close()


# --- the knowledge check -------------------------------------------------------------------------


def answers_are_valid(fields: dict[str, list[str]], lesson) -> bool:
    """Whether the knowledge check must take these form fields (the service's rule, restated)."""
    questions = {block.id: block.value for block in lesson.knowledge_check}
    answers = {
        key.removeprefix("q-"): values for key, values in fields.items() if key.startswith("q-") and values
    }
    if set(answers) - set(questions):
        return False
    chosen = {}
    for question_id, values in answers.items():
        indexes = {whole_number(value) for value in values}
        choices = questions[question_id]["choices"]
        if None in indexes or max(indexes) >= len(choices):
            return False
        if questions[question_id]["kind"] == "single" and len(indexes) > 1:
            return False
        chosen[question_id] = indexes
    return bool(chosen)


@pytest.mark.django_db
@fuzz(25)
@given(fields=knowledge_check_fields, fragment=st.booleans())
@example(fields={SINGLE: ["١"]}, fragment=False)  # Arabic-Indic one, which int() reads as 1
@example(fields={SINGLE: ["１"]}, fragment=False)  # fullwidth one
@example(fields={SINGLE: [" 1"]}, fragment=False)
@example(fields={SINGLE: ["0_1"]}, fragment=False)
@example(fields={SINGLE: ["9" * 5000]}, fragment=True)
@example(fields={SINGLE: ["1"], Ref("multiple", "q-{}"): ["0", "1"]}, fragment=False)
def test_knowledge_check_records_only_valid_answers(
    client, post, quiz_lesson, lesson_ids, staff, fields, fragment
):
    fields = resolve(fields, lesson_ids)
    client.force_login(staff)
    headers = {"HTTP_X_PAIRWISE_FRAGMENT": "knowledge-check"} if fragment else {}
    valid = answers_are_valid(fields, quiz_lesson)
    state = db_state()

    response = answered(form_post(client, f"/me/check/{quiz_lesson.pk}/", fields, **headers))

    written = changes(state, db_state())
    if valid:
        assert response.status_code == (200 if fragment else 302)
        assert "attempts" in written and written <= {"attempts", "completions", "reviews"}
    else:
        assert response.status_code == 400, f"accepted {fields}"
        assert written == set()
    still_serving(client, post)


@pytest.mark.django_db
@fuzz(15)
@given(attempt=query_values | refs("own_attempt", "their_attempt", template="{}"))
@example(attempt="99999999999999999999999")
def test_lesson_page_shows_results_of_own_attempts_only(
    client, post, quiz_lesson, lesson_ids, staff, attempt
):
    query = f"attempt={resolve(attempt, lesson_ids)}"
    client.force_login(staff)

    response = answered(client.get(f"{quiz_lesson.url}?{query}"))

    assert response.status_code == 200
    shown = whole_number(query_value(query, "attempt")) == lesson_ids["own_attempt"]
    assert ("You got" in response.content.decode()) is shown
    still_serving(client, post)


# --- query parameters, slugs and ids in paths ---------------------------------------------------

# Each page and the query parameter it reads; ``?q=wiki`` gives the search's pager pages to turn.
LISTINGS = [
    ("/blog/", "page"),
    ("/lessons/", "page"),
    ("/topics/wikis/", "after"),
    ("/me/stream/", "after"),
    ("/search/", "q"),
    ("/search/?q=wiki", "page"),
]


@pytest.mark.django_db
@fuzz(30)
@given(listing=st.sampled_from(LISTINGS), value=query_values, signed_in=st.booleans())
@example(listing=("/blog/", "page"), value="9" * 40, signed_in=False)
@example(listing=("/lessons/", "page"), value="-1", signed_in=True)
@example(listing=("/topics/wikis/", "after"), value="2026-01-01.99999999999999999999", signed_in=False)
@example(listing=("/me/stream/", "after"), value="9999-12-31.1", signed_in=True)
@example(listing=("/search/", "q"), value="%00", signed_in=False)
@example(listing=("/search/?q=wiki", "page"), value="%D9%A1%D9%A2", signed_in=True)
def test_listings_read_any_query(client, post, quiz_lesson, topic, staff, listing, value, signed_in):
    path, name = listing
    sign_in(client, staff if signed_in else None)
    separator = "&" if "?" in path else "?"

    response = answered(client.get(f"{path}{separator}{name}={value}"))

    signs_in_first = path == "/me/stream/" and not signed_in
    assert response.status_code == (302 if signs_in_first else 200)
    still_serving(client, post)


@pytest.mark.django_db
@fuzz(20)
@given(slug=path_segments)
@example(slug="wikis%00")
@example(slug="%ED%A0%80")
def test_topic_pages_take_any_slug(client, post, topic, slug):
    is_topic = unquote(slug) == topic.slug

    page = answered(client.get(f"/topics/{slug}/"))
    feed = answered(client.get(f"/topics/{slug}/feed/"))

    assert page.status_code == feed.status_code == (200 if is_topic else 404)
    still_serving(client, post)


OFFSITE = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "http://evil.example",
    "https:evil.example",
    "http:/evil.example",
    "///evil.example",
    " //evil.example",
    "\t//evil.example",
    "//testserver@evil.example",
    "http://testserver.evil.example/",
    "javascript:alert(1)",
    "data:text/html,hello",
    "/%2F%2Fevil.example",
    "http://testserver/topics/",
    "/topics/wikis/",
]


def leaves_the_site(location: str) -> bool:
    """Whether a browser following ``location`` would leave testserver (or run a script)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").lstrip("\x00 ")
    parts = urlsplit(cleaned)
    return parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http", "https")


@pytest.mark.django_db
@fuzz(20)
@given(
    form=st.sampled_from(["topic", "pair"]),
    target=st.sampled_from(OFFSITE) | form_text,
    follow=st.sampled_from(["1", "0", ""]) | form_text,
)
@example(form="topic", target="back", follow="1")  # no "/" nor ".": redirect() takes it for a URL name
def test_follow_forms_send_back_only_to_this_site(client, post, topic, pair, staff, form, target, follow):
    client.force_login(staff)
    url = "/topics/wikis/follow/" if form == "topic" else f"/pairs/{pair.slug}/follow/"

    response = answered(form_post(client, url, {"next": target, "follow": follow}))

    assert response.status_code == 302
    assert not leaves_the_site(response["Location"]), response["Location"]
    follows = (
        TopicFollow.objects.filter(user=staff, tag=topic)
        if form == "topic"
        else PairFollow.objects.filter(user=staff, pair=pair)
    )
    assert follows.exists() is (follow == "1")
    still_serving(client, post)


@pytest.mark.django_db
@fuzz(15)
@given(segment=path_segments | refs("post", "lesson", "index", template="{}"), undo=st.booleans())
@example(segment=str(2**70), undo=False)
@example(segment="99999999999999999999999", undo=True)
def test_mark_read_takes_any_id(client, post, quiz_lesson, blog_index, staff, segment, undo):
    segment = resolve(segment, {"post": post.pk, "lesson": quiz_lesson.pk, "index": blog_index.pk})
    client.force_login(staff)
    names_post = whole_number(unquote(segment)) == post.pk
    state = db_state()

    response = answered(form_post(client, f"/me/read/{segment}/", {"undo": "1"} if undo else {}))

    assert response.status_code == (302 if names_post else 404)
    if names_post:
        assert Completion.objects.filter(user=staff, page=post).exists() is not undo
    else:
        assert db_state() == state
    still_serving(client, post)
