"""Write the demo (the TOML files in this folder) into the database.

People, pairs, images and pages are created the way the site creates them:
pairs are cleaned before they are saved, pages are added under their index
and published through a revision, and what a reader has done (follows,
knowledge checks, reads) goes through ``learning.services``. Everything is
looked up by its natural key (username, slug, image title) before it is
created, so loading the demo again creates nothing.
"""

import datetime
import functools
import io
import json
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from wagtail.images import get_image_model

from PIL import Image as PillowImage
from PIL import ImageDraw
from taggit.models import Tag

from blog.emails import email_preferences_locked
from blog.models import BlogIndexPage, BlogPostPage, MentorPair, PairCheckIn, PairGoal, Profile
from blog.templatetags.people_tags import initials
from blog.threads import questions as thread_questions
from blog.threads import services as thread_services
from blog.threads.models import Comment, Notification, Thread
from home.demo.covers import avatar_png, cover_jpeg
from home.demo.records import (
    Conversation,
    DemoData,
    DemoDataError,
    Image,
    Lesson,
    PromotedLesson,
    Question,
    demo_data,
)
from home.models import HomePage
from home.services import site_bootstrap
from learning import request_services
from learning import services as learning_services
from learning.blocks import QuestionBlock
from learning.models import (
    CollectionIndexPage,
    CollectionItem,
    CollectionPage,
    KnowledgeCheckAttempt,
    LearningIndexPage,
    LessonPage,
    TopicRequestIndexPage,
    TopicRequestPage,
)
from learning.models.requests import title_key
from learning.promotions import lesson_promote
from site.people import display_name

# Question and choice ids are derived from the lesson slug, so they are the
# same on every machine that loads the demo.
_ID_NAMESPACE = uuid.UUID("6f1c2a4e-4a8e-4b8e-9c1e-2f8f3b7d9a10")


@transaction.atomic
def load_demo(data: DemoData | None = None) -> dict[str, int]:
    """Create whatever of the demo is missing; return how many of each kind were created.

    ``data`` defaults to the files in this folder, read and checked first, so
    a fault in them raises ``DemoDataError`` before anything is written; the
    load is one transaction, so a fault only the database shows (a group that
    does not exist) writes nothing either. Existing people and pages are left
    as they are, even if edited since.
    """
    if data is None:
        data = demo_data()
    today = timezone.localdate()
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    home = site_bootstrap()
    users, people_created = _people(data)
    profiles_created = _profiles(data, users=users, today=today)
    pairs, pairs_created = _pairs(data, users=users, today=today)
    goals_created = _pair_goals_and_check_ins(data, users=users, pairs=pairs, today=today)
    image_ids, images_created = _images(data)
    posts, posts_created = _posts(data, home=home, pairs=pairs, image_ids=image_ids, today=today)
    lessons, lessons_created = _lessons(
        data, home=home, pairs=pairs, posts=posts, image_ids=image_ids, today=today
    )
    collections_created = _collections(data, home=home, users=users, pages=posts | lessons)
    checks_created = _activity(data, users=users, pairs=pairs, posts=posts, lessons=lessons, today=today)
    requests_created = _requests(data, home=home, users=users, pairs=pairs, pages=posts | lessons)
    # The comment rate limit is there for people typing; the demo writes as
    # many people at once, and counts against their allowance otherwise.
    with override_settings(COMMENT_RATE_LIMIT=10**9):
        questions_created = _thread_questions(data, users=users, pages=posts | lessons)
        conversations_created = _conversations(data, users=users, pages=posts | lessons)
    _notifications_not_news(after=last_notification)
    return {
        "people": people_created,
        "profiles": profiles_created,
        "pairs": pairs_created,
        "goals and check-ins": goals_created,
        "images": images_created,
        "posts": posts_created,
        "lessons": lessons_created,
        "collections": collections_created,
        "knowledge checks": checks_created,
        "requests": requests_created,
        "questions": questions_created,
        "conversation comments": conversations_created,
    }


def _notifications_not_news(*, after: int) -> None:
    """The notifications the demo just made are its history, not news: nobody is e-mailed them.

    Each of their recipients counts as told up to now (their preferences'
    ``notifications_mailed_until``); what happens after the load is e-mailed
    as usual.
    """
    now = timezone.now()
    recipients = Notification.objects.filter(pk__gt=after).values_list("recipient", flat=True).distinct()
    for user in get_user_model().objects.filter(pk__in=recipients):
        preferences = email_preferences_locked(user)
        preferences.notifications_mailed_until = now
        preferences.save(update_fields=["notifications_mailed_until"])


# --- People and pairs -----------------------------------------------------------


def _people(data: DemoData) -> tuple[dict, int]:
    """The demo accounts by username; a new one gets the demo password and its groups."""
    User = get_user_model()
    groups = {
        group.name: group
        for group in Group.objects.filter(name__in={g for p in data.people for g in p.groups})
    }
    users, created = {}, 0
    for person in data.people:
        unknown = sorted(set(person.groups) - groups.keys())
        if unknown:
            raise DemoDataError(
                f'people.toml, username = "{person.username}": no group named {", ".join(unknown)} '
                "(groups are made by blog/migrations/0002_groups.py)"
            )
        user, is_new = User.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@{data.email_domain}",
            },
        )
        if is_new:
            user.set_password(data.password)
            user.save(update_fields=["password"])
            user.groups.add(*(groups[name] for name in person.groups))
            created += 1
        users[person.username] = user
    return users, created


def _profiles(data: DemoData, *, users: dict, today: datetime.date) -> int:
    """Each demo person's profile, unless they have one (perhaps edited since)."""
    created = 0
    for record in data.profiles:
        user = users[record.username]
        if Profile.objects.filter(user=user).exists():
            continue
        profile = Profile.objects.create(
            user=user,
            job_title=record.job_title,
            team=record.team,
            joined_on=today - datetime.timedelta(days=round(record.joined_months_ago * 30.44)),
            bio=record.bio,
            avatar=_generated_image(
                f"Avatar of {display_name(user)} (demo)",
                name=f"avatar-{user.username}.png",
                content=functools.partial(
                    avatar_png, username=user.username, initials=initials(display_name(user))
                ),
            ),
        )
        profile.can_teach.set(record.can_teach)
        profile.wants_to_learn.set(record.wants_to_learn)
        created += 1
    return created


def _pairs(data: DemoData, *, users: dict, today: datetime.date) -> tuple[dict[str, MentorPair], int]:
    existing = {pair.slug: pair for pair in MentorPair.objects.filter(slug__in=[p.slug for p in data.pairs])}
    pairs, created = {}, 0
    for spec in data.pairs:
        pair = existing.get(spec.slug)
        if pair is None:
            pair = MentorPair(
                slug=spec.slug,
                name=spec.name,
                first_member=users[spec.first_member],
                first_member_brings=spec.first_member_brings,
                second_member=users[spec.second_member],
                second_member_brings=spec.second_member_brings,
                goals=spec.goals,
                started=today - datetime.timedelta(days=spec.started_days_ago),
                status=spec.status,
            )
            pair.full_clean()
            pair.save()
            created += 1
        pairs[spec.slug] = pair
    return pairs, created


# --- Images ---------------------------------------------------------------------


def _pair_goals_and_check_ins(data: DemoData, *, users: dict, pairs: dict, today: datetime.date) -> int:
    """Goals and check-ins of the demo pairs, once: a pair that has any keeps its own."""
    created = 0
    for slug, pair in pairs.items():
        if pair.goal_items.exists() or pair.check_ins.exists():
            continue
        for goal in (g for g in data.goals if g.pair == slug):
            PairGoal.objects.create(
                pair=pair, learner=users[goal.learner], text=goal.text, status=goal.status
            )
            created += 1
        for note in (c for c in data.check_ins if c.pair == slug):
            PairCheckIn.objects.create(
                pair=pair,
                author=users[note.author],
                date=today - datetime.timedelta(days=note.days_ago),
                did=note.did,
                next=note.next,
            )
            created += 1
    return created


def _images(data: DemoData) -> tuple[dict[str, int], int]:
    """Ids of the demo images by key, each drawn and saved once and found by its title afterwards."""
    ImageModel = get_image_model()
    ids, created = {}, 0
    for spec in data.images:
        image = ImageModel.objects.filter(title=spec.title).first()
        if image is None:
            image = ImageModel(
                title=spec.title, file=ImageFile(io.BytesIO(_bar_chart_png(spec)), name=f"{spec.key}.png")
            )
            image.save()
            created += 1
        ids[spec.key] = image.pk
    return ids, created


def _generated_image(title: str, *, name: str, content):
    """The image titled ``title``, saved from ``content()`` (bytes) the first time it is asked for."""
    ImageModel = get_image_model()
    image = ImageModel.objects.filter(title=title).first()
    if image is None:
        image = ImageModel(title=title, file=ImageFile(io.BytesIO(content()), name=name))
        image.save()
    return image


def _cover(slug: str, title: str, topics: tuple[str, ...]):
    """A page's cover, drawn in its first topic's palette and seeded by its slug (see covers.py)."""
    return _generated_image(
        f"Cover of “{title}” (demo)",
        name=f"cover-{slug}.jpg",
        content=functools.partial(cover_jpeg, seed=slug, topic=topics[0] if topics else slug),
    )


def _bar_chart_png(spec: Image) -> bytes:
    """A plain horizontal bar chart of ``spec.bars`` under ``spec.heading``, as PNG bytes.

    Drawn with Pillow rather than downloaded, so the demo works offline.
    """
    width, left, top_margin, bar_height, gap = 800, 120, 60, 44, 20
    height = top_margin + len(spec.bars) * (bar_height + gap)
    picture = PillowImage.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    scale = (width - left - 110) / max(bar.value for bar in spec.bars)
    draw.text((left, 12), spec.heading, fill="#1a1a1a", font_size=20)
    for row, bar in enumerate(spec.bars):
        top = top_margin + row * (bar_height + gap)
        draw.text((16, top + 10), bar.label, fill="#1a1a1a", font_size=18)
        draw.rectangle((left, top, left + bar.value * scale, top + bar_height), fill="#1f5f8b")
        draw.text((left + bar.value * scale + 10, top + 10), f"{bar.value:.1f}", fill="#1a1a1a", font_size=18)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _stream_json(blocks: tuple[dict, ...], image_ids: dict[str, int]) -> str:
    """A body's raw StreamField data as JSON, with image keys replaced by image ids."""
    return json.dumps(
        [
            {**block, "value": {**block["value"], "image": image_ids[block["value"]["image"]]}}
            if block["type"] == "image"
            else block
            for block in blocks
        ]
    )


# --- Pages ----------------------------------------------------------------------


def _posts(
    data: DemoData, *, home: HomePage, pairs: dict, image_ids: dict[str, int], today: datetime.date
) -> tuple[dict[str, BlogPostPage], int]:
    blog = BlogIndexPage.objects.child_of(home).get()
    posts = {post.slug: post for post in BlogPostPage.objects.child_of(blog)}
    created = 0
    # Oldest first, so the tree's order matches publication order.
    for spec in sorted(data.posts, key=lambda post: -post.days_ago):
        if spec.slug in posts:
            continue
        pair = pairs[spec.pair]
        post = BlogPostPage(
            title=spec.title,
            slug=spec.slug,
            pair=pair,
            date=today - datetime.timedelta(days=spec.days_ago),
            intro=spec.intro,
            cover_image=_cover(spec.slug, spec.title, spec.tags),
            body=_stream_json(spec.body, image_ids),
            owner=pair.first_member,
        )
        blog.add_child(instance=post)
        post.tags.add(*spec.tags)
        post.save_revision(user=pair.first_member).publish()
        posts[spec.slug] = post
        created += 1
    return posts, created


def _lessons(
    data: DemoData,
    *,
    home: HomePage,
    pairs: dict,
    posts: dict[str, BlogPostPage],
    image_ids: dict[str, int],
    today: datetime.date,
) -> tuple[dict[str, LessonPage], int]:
    index = LearningIndexPage.objects.child_of(home).get()
    lessons = {lesson.slug: lesson for lesson in LessonPage.objects.child_of(index)}
    created = 0
    for spec in sorted(data.lessons, key=lambda lesson: -lesson.days_ago):
        if spec.slug in lessons:
            continue
        pair = pairs[spec.pair] if spec.pair else None
        lesson = LessonPage(
            title=spec.title,
            slug=spec.slug,
            objective=spec.objective,
            date=today - datetime.timedelta(days=spec.days_ago),
            pair=pair,
            inspired_by=posts[spec.inspired_by] if spec.inspired_by else None,
            body=_stream_json(spec.body, image_ids),
            takeaways="\n".join(spec.takeaways),
            knowledge_check=_knowledge_check_json(spec),
            owner=pair.first_member if pair else None,
        )
        index.add_child(instance=lesson)
        lesson.tags.add(*spec.tags)
        lesson.save_revision(user=lesson.owner).publish()
        lessons[spec.slug] = lesson
        created += 1
    return lessons, created


def _knowledge_check_json(lesson: Lesson) -> str:
    return json.dumps([_question(lesson.slug, n, question) for n, question in enumerate(lesson.questions)])


def _question(slug: str, n: int, question: Question) -> dict:
    """One question as raw StreamField data; a question with several right choices is "tick all"."""
    right = sum(choice.correct for choice in question.choices)
    return {
        "type": "question",
        "id": _id(slug, f"q{n}"),
        "value": {
            "prompt": question.prompt,
            "kind": QuestionBlock.MULTIPLE if right > 1 else QuestionBlock.SINGLE,
            "choices": [
                {
                    "type": "item",
                    "id": _id(slug, f"q{n}", f"c{i}"),
                    "value": {"text": choice.text, "correct": choice.correct},
                }
                for i, choice in enumerate(question.choices)
            ],
            "explanation": question.explanation,
        },
    }


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, "/".join(parts)))


def _collections(data: DemoData, *, home: HomePage, users: dict, pages: dict) -> int:
    index = CollectionIndexPage.objects.child_of(home).get()
    existing = set(CollectionPage.objects.child_of(index).values_list("slug", flat=True))
    created = 0
    for spec in data.collections:
        if spec.slug in existing:
            continue
        curator = users[spec.curator]
        collection = CollectionPage(
            title=spec.title,
            slug=spec.slug,
            description=spec.description,
            featured=spec.featured,
            cover_image=_cover(spec.slug, spec.title, spec.tags),
            owner=curator,
        )
        collection.items = [
            CollectionItem(page=pages[slug], sort_order=position) for position, slug in enumerate(spec.items)
        ]
        index.add_child(instance=collection)
        collection.tags.add(*spec.tags)
        collection.save_revision(user=curator).publish()
        created += 1
    return created


# --- What readers have done -----------------------------------------------------


def _activity(
    data: DemoData,
    *,
    users: dict,
    pairs: dict[str, MentorPair],
    posts: dict[str, BlogPostPage],
    lessons: dict[str, LessonPage],
    today: datetime.date,
) -> int:
    """Follows and reads (idempotent services); knowledge checks a person has not attempted yet."""
    for follow in data.follows:
        user = users[follow.person]
        for name in follow.topics:
            # Looked up rather than assumed: an editor may have merged or renamed
            # the tag since the demo was first loaded.
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is not None:
                learning_services.topic_follow(user=user, tag=tag)
        for slug in follow.pairs:
            learning_services.pair_follow(user=user, pair=pairs[slug])
    checks_created = 0
    for check in data.knowledge_checks:
        user, lesson = users[check.person], lessons[check.lesson]
        if KnowledgeCheckAttempt.objects.filter(user=user, lesson=lesson).exists():
            continue
        learning_services.knowledge_check_submit(
            user=user,
            lesson=lesson,
            answers=_answers(lesson, wrong_questions=check.wrong_questions),
            today=today - datetime.timedelta(days=check.days_ago),
        )
        checks_created += 1
    for read in data.reads:
        learning_services.post_mark_read(user=users[read.person], post=posts[read.post])
    return checks_created


def _answers(lesson: LessonPage, *, wrong_questions: tuple[int, ...]) -> dict[str, list[int]]:
    """Right answers to every question but those numbered in ``wrong_questions`` (from 1).

    A question answered wrongly gets its first wrong choice.
    """
    answers = {}
    for number, question in enumerate(lesson.knowledge_check, start=1):
        choices = question.value["choices"]
        if number in wrong_questions:
            answers[question.id] = [next(i for i, choice in enumerate(choices) if not choice["correct"])]
        else:
            answers[question.id] = [i for i, choice in enumerate(choices) if choice["correct"]]
    return answers


# --- Topic requests -----------------------------------------------------------


def _requests(data: DemoData, *, home: HomePage, users: dict, pairs: dict, pages: dict) -> int:
    """Requests asked, voted for, claimed, answered and declined through the request services.

    A title already there, in any state, is skipped: the request may have
    moved on since. Votes, claims and answers notify the demo people, as they
    would on the site.
    """
    index = TopicRequestIndexPage.objects.child_of(home).get()
    known = set(TopicRequestPage.objects.values_list("title_key", flat=True))
    editor = next((users[p.username] for p in data.people if "Editors" in p.groups), None)
    created = 0
    for spec in sorted(data.requests, key=lambda request: -request.days_ago):
        if title_key(spec.title) in known:
            continue
        asker = users[spec.asked_by]
        request = request_services.request_ask(
            user=asker, index=index, title=spec.title, details=spec.details, topics=list(spec.topics)
        )
        # Backdated, so that "newest" has an order to show; the service stamps now.
        TopicRequestPage.objects.filter(pk=request.pk).update(
            asked_at=timezone.now() - datetime.timedelta(days=spec.days_ago)
        )
        for voter in spec.votes:
            request_services.request_vote(user=users[voter], request=request, vote=True)
        if spec.claimed_by:
            pair = pairs[spec.claimed_by]
            request = request_services.request_claim(user=pair.first_member, request=request, pair=pair)
        if spec.answer:
            request_services.request_answer(user=pair.first_member, request=request, page=pages[spec.answer])
        if spec.declined_reason:
            if editor is None:
                raise DemoDataError("requests.toml: a declined request needs an editor in people.toml")
            request_services.request_decline(user=editor, request=request, reason=spec.declined_reason)
        created += 1
    return created


# --- Questions in threads --------------------------------------------------------


def _thread_questions(data: DemoData, *, users: dict, pages: dict) -> int:
    """Questions and their replies through the thread's services; an answer marked by a host.

    Each comment has a ``client_id`` of its own, so loading again writes
    nothing (``comment_create`` returns the comment that exists); marking the
    same answer again changes nothing either.
    """
    created = 0
    for number, record in enumerate(data.thread_questions, start=1):
        page, key = pages[record.page], f"demo-question-{number}"
        asked = thread_services.comment_create(
            page=page, user=users[record.asker], body=record.body, client_id=key, question=True
        )
        created += asked.created
        replies = [
            thread_services.comment_create(
                page=page,
                user=users[reply.author],
                body=reply.body,
                client_id=f"{key}-reply-{index}",
                parent_id=asked.comment.pk,
            ).comment
            for index, reply in enumerate(record.replies, start=1)
        ]
        if record.answer and asked.created:
            thread_questions.comment_answer(
                page=page,
                user=users[record.marked_by],
                question_id=asked.comment.pk,
                answer_id=replies[record.answer - 1].pk,
            )
        if record.lesson is not None and asked.created:
            _promoted_lesson(record.lesson, question=asked.comment, replies=replies, users=users)
    return created


# --- Conversations ---------------------------------------------------------------

# Comments of one conversation, oldest first, are this far apart.
_TALK_GAP = datetime.timedelta(minutes=47)


def _conversations(data: DemoData, *, users: dict, pages: dict) -> int:
    """Comments, replies and reactions through the thread's services; how many comments were new.

    Each comment's ``client_id`` comes from its page and its place in the
    file, so loading again finds it (``comment_create`` returns it) and
    writes nothing; reactions are given only with a comment just written,
    since giving one again would take it back. New comments are dated back
    from the conversation's ``days_ago``, the thread's last activity too.
    """
    created = 0
    for conversation in data.conversations:
        created += _conversation(conversation, users=users, page=pages[conversation.page])
    return created


def _conversation(conversation: Conversation, *, users: dict, page) -> int:
    said = []  # (comment, was it written now), in the order they were written
    for number, record in enumerate(conversation.comments, start=1):
        # A client id is at most 64 characters: a slug may be longer, its uuid5 is not.
        key = f"demo-talk-{_id(conversation.page, str(number))}"
        made = thread_services.comment_create(
            page=page, user=users[record.author], body=record.body, client_id=key
        )
        said.append((made, record.reactions))
        for reply_number, reply in enumerate(record.replies, start=1):
            said.append(
                (
                    thread_services.comment_create(
                        page=page,
                        user=users[reply.author],
                        body=reply.body,
                        client_id=f"{key}-r{reply_number}",
                        parent_id=made.comment.pk,
                    ),
                    reply.reactions,
                )
            )
    last = timezone.now() - datetime.timedelta(days=conversation.days_ago, minutes=20)
    new = 0
    for position, (made, reactions) in enumerate(said):
        if not made.created:
            continue
        new += 1
        for reaction in reactions:
            for person in reaction.by:
                thread_services.reaction_toggle(
                    page=page, user=users[person], comment_id=made.comment.pk, kind=reaction.kind
                )
        # Backdated, as the requests are: the service stamps now.
        Comment.objects.filter(pk=made.comment.pk).update(
            created=last - _TALK_GAP * (len(said) - 1 - position)
        )
    if new:
        Thread.objects.filter(page=page).update(last_activity=last)
    return new


def _promoted_lesson(spec: PromotedLesson, *, question, replies: list, users: dict) -> None:
    """The conversation promoted into a draft lesson as a host or editor would, then written and published."""
    draft = lesson_promote(
        user=users[spec.promoted_by],
        comment_id=question.pk,
        reply_ids=[replies[number - 1].pk for number in spec.replies],
        title=spec.title,
    )
    lesson = draft.get_latest_revision_as_object()
    lesson.objective, lesson.takeaways = spec.objective, spec.takeaways
    lesson.save_revision(user=users[spec.published_by]).publish(user=users[spec.published_by])
