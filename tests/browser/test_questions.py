"""A question asked of a pair, answered and unmarked, and "both authors here": live, in real browsers."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_threads import comment_with, first_post_path

pytestmark = pytest.mark.browser


def open_live(page, path: str) -> None:
    page.goto(path)
    expect(page.locator("section.thread.thread--live")).to_be_visible()


def test_a_question_is_answered_and_unmarked_live_and_both_authors_show_up(new_page, login):
    sam, amira, ben = new_page(), new_page(), new_page()
    errors: list[str] = []
    for page in (sam, amira, ben):
        page.on("pageerror", lambda error: errors.append(str(error)))
    login(sam, "sam")
    login(amira, "amira")
    login(ben, "ben")
    path = first_post_path(sam)  # a post by Amira and Ben
    open_live(sam, path)
    open_live(amira, path)
    notice = sam.locator("[data-thread-hosts-here]")

    # Both authors here (presence hosts_here): shown when the second member arrives, gone when they leave.
    expect(sam.locator("[data-thread-presence]")).to_contain_text("2 people here now")
    expect(notice).to_be_empty()
    open_live(ben, path)
    expect(notice).to_have_text("Both authors are here now — ask them")
    ben.close()
    expect(notice).to_be_empty(timeout=10_000)

    # Sam asks a question for the authors (comment.created with question: true).
    sam.get_by_label("Add to the conversation").fill("Which tags do you use for **client notes**?")
    sam.get_by_label("This is a question for the authors").check()
    sam.get_by_role("button", name="Post comment").click()
    asked = comment_with(amira, "Which tags do you use for client notes?").first
    expect(asked.locator("[data-question-state]")).to_have_text("Question for the authors · open")
    expect(sam.get_by_label("This is a question for the authors")).not_to_be_checked()

    # Amira replies, then marks her reply as the answer (comment.answered).
    asked.get_by_text("Reply", exact=True).click()
    asked.get_by_label(re.compile("^Reply to")).fill("Client, sector and year; never a name.")
    asked.get_by_role("button", name="Post reply").click()
    reply = amira.locator(".comment__replies li.comment", has_text="never a name").first
    reply.get_by_role("button", name="Mark as the answer").click()

    question = comment_with(sam, "Which tags do you use for client notes?").first
    expect(question.locator("[data-question-state]")).to_have_text("Question for the authors · answered")
    expect(question.locator("[data-comment-answered] blockquote")).to_have_text(
        "Client, sector and year; never a name."
    )
    expect(question.locator("[data-comment-answered]")).to_contain_text("Answered by Amira Haddad")
    answer = sam.locator(".comment__replies li.comment--answer", has_text="never a name")
    expect(answer).to_have_count(1)
    expect(answer.locator(".comment__badge--answer")).to_have_text("The answer")
    # The asker marks nothing: no button for Sam.
    expect(answer.get_by_role("button", name="Mark as the answer")).to_have_count(0)
    expect(answer.get_by_role("button", name="Unmark the answer")).to_have_count(0)

    # Unmarked: open again everywhere, the highlight gone.
    reply.get_by_role("button", name="Unmark the answer").click()
    expect(question.locator("[data-question-state]")).to_have_text("Question for the authors · open")
    expect(question.locator("[data-comment-answered]")).to_have_count(0)
    expect(sam.locator(".comment__replies li.comment--answer", has_text="never a name")).to_have_count(0)
    expect(reply.get_by_role("button", name="Mark as the answer")).to_be_visible()

    # A reload shows the same state from the server's HTML and snapshot.
    sam.reload()
    expect(
        comment_with(sam, "Which tags do you use for client notes?").first.locator("[data-question-state]")
    ).to_have_text("Question for the authors · open")
    assert errors == []


def test_a_question_is_asked_and_answered_without_javascript(new_page, login):
    sam, amira = new_page(java_script_enabled=False), new_page(java_script_enabled=False)
    login(sam, "sam")
    login(amira, "amira")
    path = first_post_path(sam)
    sam.goto(path)
    sam.get_by_label("Add to the conversation").fill("Asked with JavaScript off?")
    sam.get_by_label("This is a question for the authors").check()
    sam.get_by_role("button", name="Post comment").click()
    expect(
        comment_with(sam, "Asked with JavaScript off?").first.locator("[data-question-state]")
    ).to_have_text("Question for the authors · open")

    amira.goto(path)
    asked = comment_with(amira, "Asked with JavaScript off?").first
    asked.get_by_text("Reply", exact=True).click()
    asked.get_by_label(re.compile("^Reply to")).fill("Answered with it off too.")
    asked.get_by_role("button", name="Post reply").click()
    comment_with(amira, "Answered with it off too.").last.get_by_role(
        "button", name="Mark as the answer"
    ).click()

    sam.reload()
    expect(
        comment_with(sam, "Asked with JavaScript off?").first.locator("[data-question-state]")
    ).to_have_text("Question for the authors · answered")
