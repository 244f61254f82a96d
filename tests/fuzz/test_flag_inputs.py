"""Generated garbage against the flags API (``POST .../comments/<id>/flags/``).

As in ``test_inputs``: no 5xx, an error in the protocol's codes with the
status that goes with it, nothing written when the input is refused, and the
site still answering afterwards. The form's ``flag`` action and the socket's
``comment.flag`` are fuzzed with the rest of their surfaces in ``test_inputs``.
"""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from blog.threads.errors import HTTP_STATUS
from blog.threads.flags import REASONS
from blog.threads.models import Comment
from site.inputs import MAX_ID
from tests.fuzz.strategies import COMMENT_NAMES, JsonFrame, Ref, encoded, flag_payloads, refs, resolve
from tests.fuzz.test_inputs import PEOPLE, answered, changes, db_state, fuzz, sign_in, still_serving

FLAG_WRITES = {"flags", "comments", "notifications"}  # the flag; the comment when it hides it; editors told


def flag_url(page, comment_id) -> str:
    return f"/api/threads/{page.pk}/comments/{comment_id}/flags/"


@pytest.mark.django_db
@fuzz(40)
@given(
    target=refs(*COMMENT_NAMES) | st.sampled_from([0, 1, 999_999, MAX_ID]),
    frame=flag_payloads,
    person=PEOPLE,
)
@example(target=Ref("theirs"), frame=JsonFrame({"reason": "off_topic"}, ascii=True), person="staff")
@example(target=Ref("own"), frame=JsonFrame({"reason": "off_topic"}, ascii=True), person="staff")
@example(
    target=Ref("hidden"), frame=JsonFrame({"reason": "other", "note": "Why"}, ascii=True), person="editor"
)
@example(target=Ref("deleted"), frame=JsonFrame({"reason": "off_topic"}, ascii=True), person="editor")
@example(
    target=Ref("theirs"), frame=JsonFrame({"reason": "other", "note": "\ud800"}, ascii=True), person="staff"
)
@example(
    target=Ref("theirs"), frame=JsonFrame({"reason": "other", "note": "a\x00"}, ascii=False), person="staff"
)
@example(
    target=Ref("theirs"), frame=JsonFrame({"reason": "off_topic", "note": 2**70}, ascii=True), person="staff"
)
@example(target=Ref("theirs"), frame=JsonFrame(["off_topic"], ascii=True), person="staff")
def test_flag_api_takes_any_json(client, post, thread_ids, people, target, frame, person):
    sign_in(client, people[person])
    comment_id = resolve(target, thread_ids)
    payload = resolve(frame.message, thread_ids)
    comment = Comment.objects.filter(pk=comment_id, page=post).first()
    state = db_state()

    response = answered(
        client.post(
            flag_url(post, comment_id), data=encoded(frame.text(thread_ids)), content_type="application/json"
        )
    )

    written = changes(state, db_state())
    if response.status_code in (200, 201):
        flaggable = comment is not None and not comment.deleted and comment.author_id != people[person].pk
        assert flaggable and (not comment.hidden or person == "editor")
        assert isinstance(payload, dict) and payload.get("reason") in REASONS
        answer = response.json()
        assert answer["id"] == comment_id and answer["flag"]["reason"] in REASONS
        assert written <= (FLAG_WRITES if response.status_code == 201 else set())
    else:
        error = response.json()["error"]
        assert HTTP_STATUS[error["code"]] == response.status_code and error["message"]
        assert person != "anonymous" or error["code"] == "auth_required"
        assert written == set()
    still_serving(client, post)
