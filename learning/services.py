"""Writes for learning: follows, completion, knowledge checks, reviews and tags.

Every function takes keyword-only arguments, runs in one transaction and
validates before it saves. They are idempotent where the user could repeat
them (double-clicks, a form posted twice).
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Page, Revision
from wagtail.search import index

from taggit.models import ItemBase, Tag

from blog.models import BlogPostPage, MentorPair
from learning.blocks import QuestionBlock
from learning.models import (
    Completion,
    KnowledgeCheckAttempt,
    LessonPage,
    PairFollow,
    ReviewSchedule,
    TopicFollow,
    TopicRedirect,
)
from site.inputs import InvalidInput, parse_id

# Days until the next review, step by step: a wrong answer starts the ladder
# at step 0; each review passed on or after its due date climbs one step;
# passing the last step retires the lesson from reviews.
REVIEW_LADDER_DAYS = (1, 3, 7, 14)


class KnowledgeCheckError(ValidationError):
    """The submitted answers do not fit the lesson's questions; nothing was recorded."""


# --- Follows ----------------------------------------------------------------


@transaction.atomic
def topic_follow(*, user, tag: Tag, follow: bool = True) -> bool:
    """Follow (or unfollow) a topic. Idempotent; returns whether ``user`` now follows it."""
    if follow:
        TopicFollow.objects.get_or_create(user=user, tag=tag)
    else:
        TopicFollow.objects.filter(user=user, tag=tag).delete()
    return follow


@transaction.atomic
def pair_follow(*, user, pair: MentorPair, follow: bool = True) -> bool:
    """Follow (or unfollow) a mentor pair. Idempotent; returns whether ``user`` now follows it."""
    if follow:
        PairFollow.objects.get_or_create(user=user, pair=pair)
    else:
        PairFollow.objects.filter(user=user, pair=pair).delete()
    return follow


# --- Completion -------------------------------------------------------------


def _complete(*, user, page: Page, how: str) -> Completion:
    completion = Completion.objects.filter(user=user, page=page).first()
    if completion is not None:
        return completion
    completion = Completion(user=user, page=page, how=how)
    completion.full_clean()
    completion.save()
    return completion


@transaction.atomic
def lesson_complete(*, user, lesson: LessonPage, how: str = Completion.How.MARKED_DONE) -> Completion:
    """Record that ``user`` finished ``lesson``. Idempotent: the first completion is kept."""
    return _complete(user=user, page=lesson, how=how)


@transaction.atomic
def post_mark_read(*, user, post: BlogPostPage) -> Completion:
    """Record that ``user`` read ``post`` (it then counts as done in collections). Idempotent."""
    return _complete(user=user, page=post, how=Completion.How.READ)


@transaction.atomic
def completion_undo(*, user, page: Page) -> bool:
    """Take back ``user``'s completion of ``page`` (marked by mistake); False if there was none.

    Knowledge-check attempts and review dates stay: they record answers, not the mark.
    """
    deleted, _ = Completion.objects.filter(user=user, page=page).delete()
    return bool(deleted)


# --- Knowledge checks and reviews ---------------------------------------------


@dataclass(frozen=True)
class CheckedAnswers:
    answers: dict[str, list[int]]
    results: dict[str, bool]

    @property
    def correct_count(self) -> int:
        return sum(self.results.values())


def _chosen_indexes(question, raw: Sequence[str | int]) -> list[int]:
    choices = question["choices"]
    try:
        # ``parse_id``, not ``int``: the form sends ASCII digits, and ``int``
        # would also take Arabic-Indic or fullwidth digits, " 1", "+1" or "0_1".
        chosen = sorted({parse_id(value, name="choice") for value in raw})
    except InvalidInput:
        raise KnowledgeCheckError(
            "That answer is not one of the choices offered.", code="bad_choice"
        ) from None
    if any(index < 0 or index >= len(choices) for index in chosen):
        raise KnowledgeCheckError("That answer is not one of the choices offered.", code="bad_choice")
    if question["kind"] == QuestionBlock.SINGLE and len(chosen) > 1:
        raise KnowledgeCheckError(
            f"“{question['prompt']}” takes one answer, not several.", code="too_many_choices"
        )
    return chosen


def knowledge_check_answers(
    *, lesson: LessonPage, answers: Mapping[str, Sequence[str | int]]
) -> CheckedAnswers:
    """Check ``answers`` ({question id: [choice index, ...]}) against ``lesson``'s questions.

    Raises ``KnowledgeCheckError`` for a question id the lesson does not have
    (a stale or tampered form, or another lesson's question), a choice out of
    range, several answers to a single-choice question, or no answers at all.
    An unanswered question counts as wrong; a multiple-choice answer is right
    only when it picks exactly the correct choices.
    """
    questions = {block.id: block.value for block in lesson.knowledge_check}
    if not questions:
        raise KnowledgeCheckError("This lesson has no knowledge check.", code="no_questions")
    unknown = set(answers) - set(questions)
    if unknown:
        raise KnowledgeCheckError(
            "The answers do not match this lesson's questions. Reload the lesson and try again.",
            code="unknown_question",
        )
    chosen = {qid: _chosen_indexes(questions[qid], raw) for qid, raw in answers.items()}
    chosen = {qid: indexes for qid, indexes in chosen.items() if indexes}
    if not chosen:
        raise KnowledgeCheckError("Answer at least one question before checking.", code="no_answers")
    results = {}
    for qid, question in questions.items():
        correct = [index for index, choice in enumerate(question["choices"]) if choice["correct"]]
        results[qid] = chosen.get(qid) == correct
    return CheckedAnswers(answers=chosen, results=results)


def _review_after_attempt(
    *, user, lesson: LessonPage, passed: bool, today: datetime.date
) -> ReviewSchedule | None:
    review = ReviewSchedule.objects.select_for_update().filter(user=user, lesson=lesson).first()
    if not passed:
        review = review or ReviewSchedule(user=user, lesson=lesson)
        review.step = 0
        review.due_on = today + datetime.timedelta(days=REVIEW_LADDER_DAYS[0])
    elif review is not None and review.due_on is not None and review.due_on <= today:
        # Only a review on or after its due date climbs the ladder: answering
        # again straight after reading the explanation is not retrieval.
        review.step += 1
        if review.step < len(REVIEW_LADDER_DAYS):
            review.due_on = today + datetime.timedelta(days=REVIEW_LADDER_DAYS[review.step])
        else:
            review.due_on = None
    else:
        return review
    review.updated_at = timezone.now()
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def knowledge_check_submit(
    *,
    user,
    lesson: LessonPage,
    answers: Mapping[str, Sequence[str | int]],
    today: datetime.date | None = None,
) -> KnowledgeCheckAttempt:
    """Check and record one attempt at ``lesson``'s knowledge check.

    Invalid answers raise ``KnowledgeCheckError`` and record nothing. A fully
    correct attempt completes the lesson; any wrong answer schedules (or
    restarts) the lesson's review ladder; a correct review on its due date
    moves it up the ladder.
    """
    checked = knowledge_check_answers(lesson=lesson, answers=answers)
    attempt = KnowledgeCheckAttempt(
        user=user,
        lesson=lesson,
        answers=checked.answers,
        results=checked.results,
        correct_count=checked.correct_count,
        question_count=len(checked.results),
    )
    attempt.full_clean()
    attempt.save()
    if attempt.passed:
        _complete(user=user, page=lesson, how=Completion.How.PASSED)
    _review_after_attempt(
        user=user, lesson=lesson, passed=attempt.passed, today=today or timezone.localdate()
    )
    return attempt


# --- Tags (topics) -----------------------------------------------------------


def tag_through_models() -> list[type[models.Model]]:
    """Every model that tags something with taggit's ``Tag`` (posts, lessons, collections…)."""
    return [
        relation.related_model
        for relation in Tag._meta.related_objects
        if issubclass(relation.related_model, ItemBase) and relation.field.name == "tag"
    ]


def _tagged_object_fields(model) -> list[str]:
    """The columns that say *what* an item tags (a page id, or a content type and object id)."""
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key and f.name != "tag"]


def _retag_revisions(*, page_models: set, source: Tag, into: Tag) -> int:
    """Point the latest revision of tagged pages at ``into`` instead of ``source``.

    Wagtail edits a page from its latest revision, which stores tag ids; a
    revision still naming the deleted tag would lose it (or fail) when the
    editor next publishes.
    """
    content_types = ContentType.objects.get_for_models(*page_models).values() if page_models else []
    revisions = Revision.objects.filter(
        id__in=Page.objects.filter(content_type__in=content_types).values("latest_revision_id")
    )
    changed = 0
    for revision in revisions.iterator():
        items = revision.content.get("tagged_items")
        if not items or not any(item.get("tag") == source.pk for item in items):
            continue
        kept, seen = [], set()
        for item in items:
            tag_id = into.pk if item.get("tag") == source.pk else item.get("tag")
            if tag_id in seen:
                continue
            seen.add(tag_id)
            kept.append({**item, "tag": tag_id})
        revision.content["tagged_items"] = kept
        revision.save(update_fields=["content"])
        changed += 1
    return changed


def _page_column(model) -> str | None:
    """The column of a tag through model that names the tagged page, if it tags pages."""
    fields = _tagged_object_fields(model)
    if len(fields) != 1:
        return None  # a generic relation (content type and object id): not a page
    related = model._meta.get_field(fields[0]).related_model
    return fields[0] if related is not None and issubclass(related, Page) else None


def _tagged_page_ids(tag: Tag) -> set[int]:
    """Every page (of any type, live or not) that carries ``tag``; one query per through model."""
    page_ids: set[int] = set()
    for model in tag_through_models():
        column = _page_column(model)
        if column is not None:
            page_ids.update(model.objects.filter(tag=tag).values_list(column, flat=True))
    return page_ids


def _reindex_after_commit(page_ids: set[int]) -> None:
    """Once the transaction commits, reindex the live pages among ``page_ids``.

    Posts and lessons index their topics' names; without this a renamed or
    merged topic would be found under its old name until each page is next
    published. After commit, so the index never holds a name that was rolled back.
    """
    if not page_ids:
        return
    page_ids = set(page_ids)

    def reindex() -> None:
        for page in Page.objects.filter(pk__in=page_ids).live().specific():
            index.insert_or_update_object(page)

    transaction.on_commit(reindex)


def _keep_address(*, old_slug: str, tag: Tag) -> TopicRedirect:
    """``/topics/<old_slug>/`` leads to ``tag`` from now on (it may have led elsewhere before)."""
    redirect = TopicRedirect.objects.filter(old_slug=old_slug).first() or TopicRedirect(old_slug=old_slug)
    redirect.tag = tag
    redirect.full_clean()
    redirect.save()
    return redirect


def _topic_name_and_slug(*, name: str, tag: Tag | None) -> tuple[str, str]:
    """``name`` with its spaces tidied, and its slug; refuses what another topic already has."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "A topic needs a name."})
    others = Tag.objects.exclude(pk=tag.pk) if tag is not None else Tag.objects.all()
    if others.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A topic called “{name}” already exists: merge into it instead."})
    slug = slugify(name, allow_unicode=True)
    if not slug:
        raise ValidationError({"name": "Use at least one letter or digit."})
    if others.filter(slug=slug).exists():
        raise ValidationError({"name": f"Another topic already uses the address /topics/{slug}/."})
    return name, slug


@transaction.atomic
def tag_merge(*, source: Tag, into: Tag) -> dict[str, int]:
    """Move everything tagged ``source`` (and its followers) to ``into``, then delete ``source``.

    Nothing is lost: an item tagged with both keeps one tag, a reader who
    followed both follows ``into`` once, and ``source``'s address (and any it
    had before) now leads to ``into``. The pages that carried ``source`` are
    reindexed after commit. Returns how many tagged items moved and how many
    duplicates were dropped.
    """
    if source.pk == into.pk:
        raise ValidationError("Choose two different topics to merge.", code="same_tag")
    page_ids = _tagged_page_ids(source)
    moved = dropped = 0
    page_models = set()
    for model in tag_through_models():
        fields = _tagged_object_fields(model)
        already = set(model.objects.filter(tag=into).values_list(*fields))
        move, drop = [], []
        for pk, *key in model.objects.filter(tag=source).values_list("pk", *fields):
            (drop if tuple(key) in already else move).append(pk)
        if move or drop:
            model.objects.filter(pk__in=drop).delete()
            model.objects.filter(pk__in=move).update(tag=into)
            moved, dropped = moved + len(move), dropped + len(drop)
            if _page_column(model) is not None:
                page_models.add(model._meta.get_field(fields[0]).related_model)
    already_following = TopicFollow.objects.filter(tag=into).values("user")
    TopicFollow.objects.filter(tag=source, user__in=already_following).delete()
    TopicFollow.objects.filter(tag=source).update(tag=into)
    _retag_revisions(page_models=page_models, source=source, into=into)
    # Before the delete, which would cascade to them: the source's old addresses follow it.
    TopicRedirect.objects.filter(tag=source).update(tag=into)
    _keep_address(old_slug=source.slug, tag=into)
    source.delete()
    _reindex_after_commit(page_ids)
    return {"moved": moved, "duplicates": dropped}


@transaction.atomic
def tag_rename(*, tag: Tag, name: str) -> Tag:
    """Rename ``tag`` (and its slug); every tagged item keeps it.

    Refuses a name that another topic already has, in any letter case:
    that is a merge, not a rename. The old address keeps leading to the
    topic, and the pages that carry it are reindexed after commit.
    """
    name, slug = _topic_name_and_slug(name=name, tag=tag)
    # The stored slug, not ``tag.slug``: a model form may already have changed the instance.
    old_slug = Tag.objects.select_for_update().values_list("slug", flat=True).get(pk=tag.pk)
    tag.name, tag.slug = name, slug
    tag.full_clean()
    tag.save()
    if slug != old_slug:
        _keep_address(old_slug=old_slug, tag=tag)
    _reindex_after_commit(_tagged_page_ids(tag))
    return tag


@transaction.atomic
def tag_create(*, name: str) -> Tag:
    """A new topic called ``name``, refused (as a rename is) when another has that name in any case."""
    name, slug = _topic_name_and_slug(name=name, tag=None)
    tag = Tag(name=name, slug=slug)
    tag.full_clean()
    tag.save()
    return tag
