"""E-mail to people: their preferences, unsubscribe tokens, and the one way every message is sent.

Every message the site sends a person (``email_send``):

* is HTML with a plain-text alternative, rendered from ``<template>.html``
  and ``<template>.txt`` (which extend ``blog/email/base.*``); what people
  wrote reaches it as plain text, escaped in the HTML part;
* links absolutely, from ``BASE_URL``;
* says how to stop it: a one-click unsubscribe link (a signed token, no
  sign-in) in the message and in RFC 8058's ``List-Unsubscribe`` and
  ``List-Unsubscribe-Post`` headers, and a link to the preferences;
* is sent once per ``key``: the record of it (``SentEmail``) is written in
  the caller's transaction before it is sent, so a retry after a failure to
  send sends it, and a second run after success finds it and sends nothing.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from blog.models import EmailPreferences, SentEmail
from site.people import display_name

# What an unsubscribe link stops, by the kind of message it came in.
SCOPES = {
    "notifications": "notifications by e-mail",
    "digest": "the weekly digest",
    "reminders": "review reminders",
}
SIGNING_SALT = "pairwise.email.unsubscribe"


class BadUnsubscribeToken(Exception):
    """The link was altered, cut short, or made by another site."""


def absolute_url(path: str) -> str:
    """``path`` (``/blog/x/``, or an address already absolute) as a link from ``BASE_URL``."""
    return urljoin(f"{settings.BASE_URL}/", path)


# --- preferences ------------------------------------------------------------------


def email_preferences_for(user) -> EmailPreferences:
    """``user``'s saved preferences, or the defaults (unsaved) when they have chosen none."""
    saved = EmailPreferences.objects.filter(user=user).first()
    return saved if saved is not None else EmailPreferences(user=user)


def email_preferences_locked(user) -> EmailPreferences:
    """``user``'s preferences row, made with the defaults if need be, locked until commit.

    Senders lock it so that two runs for one person take turns.
    """
    EmailPreferences.objects.get_or_create(user=user)
    return EmailPreferences.objects.select_for_update().get(user=user)


@transaction.atomic
def email_preferences_update(*, user, **choices) -> EmailPreferences:
    """Save what ``user`` wants by e-mail: any of the preference fields, by name."""
    preferences = email_preferences_locked(user)
    editable = {*EmailPreferences.KIND_FIELDS.values(), "digest", "review_reminders"}
    unknown = set(choices) - editable
    if unknown:
        raise TypeError(f"not e-mail preferences: {', '.join(sorted(unknown))}")
    for field, value in choices.items():
        setattr(preferences, field, value)
    preferences.updated = timezone.now()
    preferences.full_clean(exclude=["user"])
    preferences.save()
    return preferences


@transaction.atomic
def email_unsubscribe(*, user, scope: str) -> EmailPreferences:
    """Stop what an unsubscribe link of ``scope`` names: every notification e-mail, the digest, or reminders.

    Idempotent: unsubscribing twice leaves the same preferences.
    """
    if scope == "notifications":
        switched_off = dict.fromkeys(EmailPreferences.KIND_FIELDS.values(), False)
        return email_preferences_update(user=user, **switched_off)
    if scope == "digest":
        return email_preferences_update(user=user, digest=EmailPreferences.Digest.OFF)
    if scope == "reminders":
        return email_preferences_update(user=user, review_reminders=False)
    raise ValueError(f"unknown scope {scope!r}")


# --- unsubscribe tokens -------------------------------------------------------------


def unsubscribe_token(*, user, scope: str) -> str:
    """A token naming ``user`` and ``scope``, signed with the site's secret key; it does not expire."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    return signing.dumps([user.pk, scope], salt=SIGNING_SALT, compress=False)


def unsubscribe_token_read(token: str):
    """The person and scope a token names; ``BadUnsubscribeToken`` if it was not made here or names nobody."""
    try:
        user_id, scope = signing.loads(token, salt=SIGNING_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadUnsubscribeToken from error
    if not isinstance(user_id, int) or isinstance(user_id, bool) or scope not in SCOPES:
        raise BadUnsubscribeToken
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise BadUnsubscribeToken
    return user, scope


def unsubscribe_url(*, user, scope: str) -> str:
    token = unsubscribe_token(user=user, scope=scope)
    return absolute_url(reverse("email_unsubscribe", kwargs={"token": token}))


# --- sending --------------------------------------------------------------------------


def email_send(*, user, key: str, scope: str, subject: str, template: str, context: dict) -> bool:
    """Send ``user`` the message ``template`` renders, unless the one named ``key`` was sent; True if sent.

    Call it inside a transaction (see the module's docstring). A person
    without an e-mail address, or no longer active, is sent nothing. A failure
    to send raises, for the task that called it to be retried.
    """
    if not user.email or not user.is_active:
        return False
    subject = " ".join(subject.split())[:200]
    try:
        with transaction.atomic():
            SentEmail.objects.create(recipient=user, key=key[:80], subject=subject)
    except IntegrityError:
        return False
    unsubscribe = unsubscribe_url(user=user, scope=scope)
    context = {
        **context,
        "subject": subject,
        "name": display_name(user),
        "base_url": settings.BASE_URL,
        "preferences_url": absolute_url(reverse("notification_settings")),
        "unsubscribe_url": unsubscribe,
        "unsubscribe_what": SCOPES[scope],
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
    return True
