"""Writes about people: profiles, pairs made from pairing suggestions, a pair's goals and check-ins.

Each service takes the acting person as ``user`` and validates before it saves.
"""

import datetime
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from wagtail.images import get_image_model
from wagtail.models import Collection

from blog.models import MentorPair, PairCheckIn, PairGoal, Profile
from blog.selectors import pairing_match
from blog.threads.services import notice_send
from site.page_cache import purge_site_after_commit
from site.people import PAIR_MEMBERS, display_name, is_editor

MAX_TOPICS = 15


def profile_ensure(*, user) -> Profile:
    """``user``'s profile, made empty the first time; safe to call again and from two requests at once."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def topic_names(names: Sequence[str], *, field: str) -> list[str]:
    """Topic names as people typed them, tidied: spaces collapsed, repeats (in any case) dropped.

    Shared by every form that takes topics (profiles here, topic requests in
    learning); a fault raises ``ValidationError`` on ``field``.
    """
    cleaned, seen = [], set()
    for name in names:
        name = " ".join(name.split())
        if name and not slugify(name, allow_unicode=True):
            # A topic's address is made from its name: "!!!" would have none.
            raise ValidationError({field: f"“{name}” needs a letter or a digit to be a topic."})
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            cleaned.append(name)
    if len(cleaned) > MAX_TOPICS:
        raise ValidationError({field: f"Name at most {MAX_TOPICS} topics."})
    if any(len(name) > 100 for name in cleaned):
        raise ValidationError({field: "A topic's name has at most 100 characters."})
    return cleaned


@transaction.atomic
def profile_update(
    *,
    user,
    first_name: str,
    last_name: str,
    job_title: str,
    team: str,
    joined_on: datetime.date | None,
    bio: str,
    can_teach: Sequence[str],
    wants_to_learn: Sequence[str],
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
) -> Profile:
    """Save ``user``'s own profile; an ``avatar`` becomes a Wagtail image (the old one is deleted).

    Topics are matched case-insensitively to the existing vocabulary, and new
    ones are added to it. Raises ``ValidationError`` and saves nothing when a
    field is invalid.
    """
    profile = Profile.objects.select_for_update().get(pk=profile_ensure(user=user).pk)
    if joined_on is not None and joined_on > timezone.localdate():
        raise ValidationError({"joined_on": "That date has not come yet."})
    teach = topic_names(can_teach, field="can_teach")
    learn = topic_names(wants_to_learn, field="wants_to_learn")
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["first_name", "last_name"])
    profile.job_title, profile.team, profile.joined_on, profile.bio = job_title, team, joined_on, bio
    old_avatar = profile.avatar
    if avatar is not None:
        profile.avatar = get_image_model().objects.create(
            title=f"Avatar of {display_name(user)}",
            file=avatar,
            collection=Collection.get_first_root_node(),
            uploaded_by_user=user,
        )
    elif remove_avatar:
        profile.avatar = None
    profile.updated = timezone.now()
    profile.full_clean()
    profile.save()
    profile.can_teach.set(teach)
    profile.wants_to_learn.set(learn)
    if old_avatar is not None and old_avatar != profile.avatar:
        old_avatar.delete()
    # Names show in bylines and threads on pages the anonymous cache keeps.
    purge_site_after_commit()
    return profile


def _brings(topics: Sequence[str]) -> str:
    if not topics:
        return "what they know (nothing the other listed yet)"
    return "teaches " + ", ".join(topics)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "pair"
    slug, n = base, 2
    while MentorPair.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def pair_create_from_suggestion(*, user, first_id: int, second_id: int) -> MentorPair:
    """An editor accepts a suggested pair: the pair is made with what each brings, and both are told.

    Refused unless ``user`` is an editor and both people may be paired now
    (each has a profile, neither has an active pair, and they were never
    partners): accepting the same suggestion twice makes one pair. Both join
    the Pair members group, so they can write their posts.
    """
    if not is_editor(user):
        raise PermissionDenied("Only editors make pairs.")
    # Hold both people's rows: two editors accepting at once make one pair.
    people = get_user_model().objects.select_for_update().order_by("pk").in_bulk([first_id, second_id])
    found = pairing_match(first_id=first_id, second_id=second_id, today=timezone.localdate())
    if found is None:
        raise ValidationError(
            "These two cannot be paired now: one has a pair already, or they were partners."
        )
    first, second = people[found.first.id], people[found.second.id]
    name = f"{found.first.name} & {found.second.name}"
    wanted = [
        f"{found.second.name} wants to learn {', '.join(found.first_teaches_second)} from {found.first.name}."
        if found.first_teaches_second
        else "",
        f"{found.first.name} wants to learn {', '.join(found.second_teaches_first)} from {found.second.name}."
        if found.second_teaches_first
        else "",
    ]
    pair = MentorPair(
        name=name[:120],
        slug=_unique_slug(name),
        first_member=first,
        first_member_brings=_brings(found.first_teaches_second)[:255],
        second_member=second,
        second_member_brings=_brings(found.second_teaches_first)[:255],
        goals=" ".join(line for line in wanted if line) or "To teach each other.",
    )
    pair.full_clean()
    try:
        with transaction.atomic():
            pair.save()
    except IntegrityError:  # another pair took the slug a moment ago
        pair.slug = _unique_slug(f"{name} {timezone.now():%Y%m%d%H%M%S}")
        pair.save()
    members = Group.objects.get(name=PAIR_MEMBERS)
    first.groups.add(members)
    second.groups.add(members)
    for person, partner in ((first, second), (second, first)):
        notice_send(
            recipients=[person],
            text=f"You are now paired with {display_name(partner)}: {found.explanation()}",
            url=pair.get_absolute_url(),
        )
    return pair


def _may_run_pair(user, pair: MentorPair) -> bool:
    return pair.has_member(user) or is_editor(user)


@transaction.atomic
def pair_goal_add(*, user, pair: MentorPair, text: str) -> PairGoal:
    """A member states something they want to learn from the other (editors may not speak for them)."""
    if not pair.has_member(user):
        raise PermissionDenied("Only the pair's members set their goals.")
    goal = PairGoal(pair=pair, learner=user, text=" ".join(text.split()))
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def pair_goal_set_status(*, user, goal: PairGoal, status: str) -> PairGoal:
    """Either member, or an editor, moves a goal along (open, in progress, achieved)."""
    if not _may_run_pair(user, goal.pair):
        raise PermissionDenied("Only the pair and editors change its goals.")
    goal.status, goal.updated = status, timezone.now()
    goal.full_clean()
    goal.save(update_fields=["status", "updated"])
    return goal


@transaction.atomic
def pair_check_in_add(
    *, user, pair: MentorPair, date: datetime.date, did: str, next: str = ""
) -> PairCheckIn:
    """A member, or an editor, notes a session; the notes are the pair's and editors' only."""
    if not _may_run_pair(user, pair):
        raise PermissionDenied("Only the pair and editors write its check-ins.")
    if date > timezone.localdate():
        raise ValidationError({"date": "A check-in is about a day that has come."})
    check_in = PairCheckIn(pair=pair, author=user, date=date, did=did.strip(), next=next.strip())
    check_in.full_clean()
    check_in.save()
    return check_in
