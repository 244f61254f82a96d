import datetime

from django.utils import timezone

import pytest

from learning import services
from learning.factories import question
from learning.models import Completion, KnowledgeCheckAttempt, ReviewSchedule

pytestmark = pytest.mark.django_db


def ids(lesson):
    return [block.id for block in lesson.knowledge_check]


def nothing_recorded():
    return not (
        KnowledgeCheckAttempt.objects.exists()
        or ReviewSchedule.objects.exists()
        or Completion.objects.exists()
    )


def test_all_right_completes_the_lesson_without_a_review(quiz_lesson, staff):
    single, multiple = ids(quiz_lesson)

    attempt = services.knowledge_check_submit(
        user=staff, lesson=quiz_lesson, answers={single: ["1"], multiple: ["0", "1"]}
    )

    assert (attempt.correct_count, attempt.question_count, attempt.passed) == (2, 2, True)
    assert attempt.results == {single: True, multiple: True}
    assert Completion.objects.get(user=staff, page=quiz_lesson).how == Completion.How.PASSED
    assert not ReviewSchedule.objects.exists()


def test_a_wrong_answer_is_recorded_and_schedules_a_review_tomorrow(quiz_lesson, staff):
    single, multiple = ids(quiz_lesson)
    today = timezone.localdate()

    attempt = services.knowledge_check_submit(
        user=staff, lesson=quiz_lesson, answers={single: ["0"], multiple: ["0", "1"]}
    )

    assert attempt.results == {single: False, multiple: True}
    assert attempt.answers == {single: [0], multiple: [0, 1]}
    assert not Completion.objects.filter(user=staff).exists()
    review = ReviewSchedule.objects.get(user=staff, lesson=quiz_lesson)
    assert (review.step, review.due_on) == (0, today + datetime.timedelta(days=1))


def test_partial_answers_count_as_wrong(quiz_lesson, staff):
    single, multiple = ids(quiz_lesson)

    # One of the two right choices, and the single-choice question left blank.
    attempt = services.knowledge_check_submit(user=staff, lesson=quiz_lesson, answers={multiple: ["0"]})

    assert attempt.results == {single: False, multiple: False}
    assert attempt.correct_count == 0
    assert not attempt.passed


def test_extra_wrong_choice_makes_a_multiple_choice_answer_wrong(quiz_lesson, staff):
    single, multiple = ids(quiz_lesson)

    attempt = services.knowledge_check_submit(
        user=staff, lesson=quiz_lesson, answers={single: ["1"], multiple: ["0", "1", "2"]}
    )

    assert attempt.results == {single: True, multiple: False}


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda single, multiple, other: {"not-a-question": ["0"]}, "unknown_question"),
        (lambda single, multiple, other: {other: ["0"], single: ["1"]}, "unknown_question"),
        (lambda single, multiple, other: {single: ["3"]}, "bad_choice"),
        (lambda single, multiple, other: {single: ["-1"]}, "bad_choice"),
        (lambda single, multiple, other: {single: ["one"]}, "bad_choice"),
        (lambda single, multiple, other: {single: ["0", "1"]}, "too_many_choices"),
        (lambda single, multiple, other: {}, "no_answers"),
        (lambda single, multiple, other: {single: [], multiple: []}, "no_answers"),
    ],
    ids=[
        "unknown",
        "other-lessons-question",
        "out-of-range",
        "negative",
        "not-a-number",
        "two-answers-to-single",
        "nothing",
        "empty",
    ],
)
def test_tampered_answers_are_refused_and_record_nothing(quiz_lesson, make_lesson, staff, tamper, code):
    other = make_lesson(questions=[question("Elsewhere?", [("Yes", True), ("No", False)])])
    single, multiple = ids(quiz_lesson)

    with pytest.raises(services.KnowledgeCheckError) as raised:
        services.knowledge_check_submit(
            user=staff, lesson=quiz_lesson, answers=tamper(single, multiple, ids(other)[0])
        )

    assert raised.value.code == code
    assert nothing_recorded()


def test_tampered_form_gets_a_clear_error_page_and_records_nothing(client, quiz_lesson, staff):
    client.force_login(staff)
    single, _ = ids(quiz_lesson)

    response = client.post(f"/me/check/{quiz_lesson.pk}/", {f"q-{single}": "7"})

    assert response.status_code == 400
    assert "That answer is not one of the choices offered." in response.content.decode()
    assert nothing_recorded()


def test_correct_answers_and_explanations_are_not_in_the_page_before_answering(client, quiz_lesson, staff):
    client.force_login(staff)

    html = client.get(quiz_lesson.url).content.decode()

    assert "Sentence case" in html  # the choices are there...
    assert "Sentence case reads best in lists." not in html  # ...but not the explanation
    assert "choice--correct" not in html
    assert "correct" not in html.lower().split('id="knowledge-check"')[1].split("</section>")[0]


def test_form_post_without_javascript_shows_results_and_explanations(client, quiz_lesson, staff):
    client.force_login(staff)
    single, multiple = ids(quiz_lesson)

    response = client.post(f"/me/check/{quiz_lesson.pk}/", {f"q-{single}": "0", f"q-{multiple}": ["0", "1"]})

    attempt = KnowledgeCheckAttempt.objects.get(user=staff)
    assert response.status_code == 302
    assert response["Location"] == f"{quiz_lesson.url}?attempt={attempt.pk}#knowledge-check"
    html = client.get(response["Location"]).content.decode()
    assert "You got 1 of 2 right." in html
    assert "Sentence case reads best in lists." in html
    assert "Not quite" in html
    assert html.count("choice--correct") == 3


def test_fetch_gets_just_the_results_fragment(client, quiz_lesson, staff):
    client.force_login(staff)
    single, multiple = ids(quiz_lesson)

    response = client.post(
        f"/me/check/{quiz_lesson.pk}/",
        {f"q-{single}": "1", f"q-{multiple}": ["0", "1"]},
        headers={"X-Pairwise-Fragment": "knowledge-check"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<section") and "<html" not in html
    assert "You got 2 of 2 right." in html


def test_someone_elses_attempt_is_not_shown(client, quiz_lesson, staff, editor):
    single, _ = ids(quiz_lesson)
    attempt = services.knowledge_check_submit(user=editor, lesson=quiz_lesson, answers={single: ["0"]})
    client.force_login(staff)

    html = client.get(f"{quiz_lesson.url}?attempt={attempt.pk}").content.decode()

    assert "You got" not in html
    assert "Sentence case reads best in lists." not in html


def test_signed_out_reader_is_sent_to_sign_in_and_nothing_is_recorded(client, quiz_lesson):
    single, _ = ids(quiz_lesson)

    response = client.post(f"/me/check/{quiz_lesson.pk}/", {f"q-{single}": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert nothing_recorded()


def test_a_question_needs_exactly_one_right_choice_when_single_choice(quiz_lesson):
    from django.core.exceptions import ValidationError

    from learning.blocks import QuestionBlock

    block = QuestionBlock()
    value = block.to_python(
        question("Pick one", [("A", True), ("B", True)], kind="single")["value"] | {"explanation": "x"}
    )

    with pytest.raises(ValidationError):
        block.clean(value)


def test_lesson_page_says_when_a_review_is_due(client, quiz_lesson, staff):
    single, _ = ids(quiz_lesson)
    two_days_ago = timezone.localdate() - datetime.timedelta(days=2)
    services.knowledge_check_submit(
        user=staff, lesson=quiz_lesson, answers={single: ["0"]}, today=two_days_ago
    )
    client.force_login(staff)

    assert "Due for review now" in client.get(quiz_lesson.url).content.decode()
