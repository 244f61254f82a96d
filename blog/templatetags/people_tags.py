"""People in templates: ``{% person_link user %}``, ``{% pair_byline pair %}``, ``{% avatar user %}``."""

import hashlib

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from site.people import avatar_url, display_name, person_url

register = template.Library()

# The site's own colours (site.css), each dark enough for white initials (WCAG AA).
AVATAR_COLOURS = ("#1f5fbf", "#17478f", "#0d6b4f", "#1d2433", "#6a3d9a", "#8a4b08")


@register.simple_tag
def person_link(user) -> SafeString:
    """The person's name, linking to their page."""
    return format_html(
        '<a href="{}" class="person-link">{}</a>', person_url(user.get_username()), display_name(user)
    )


@register.simple_tag
def pair_byline(pair) -> SafeString:
    """ "Amira Haddad and Ben Okafor", each linking to their page."""
    return format_html("{} and {}", person_link(pair.first_member), person_link(pair.second_member))


def initials(name: str) -> str:
    words = [word for word in name.replace("-", " ").split() if word[:1].isalnum()]
    letters = (words[0][0] + (words[-1][0] if len(words) > 1 else "")) if words else "?"
    return letters.upper()


@register.inclusion_tag("blog/includes/avatar.html")
def avatar(user, size: int = 48) -> dict:
    """The person's photo, or their initials on one of the site's colours (no outside service)."""
    profile = getattr(user, "profile", None) if user.pk else None
    name = display_name(user)
    return {
        "image": profile.avatar if profile is not None else None,
        "name": name,
        "initials": initials(name),
        "colour": avatar_colour(user.get_username()),
        "size": size,
    }


def avatar_colour(username: str) -> str:
    """One of the site's colours, always the same for the same person."""
    return AVATAR_COLOURS[hashlib.sha256(username.encode()).digest()[0] % len(AVATAR_COLOURS)]


@register.simple_tag
def avatar_image(username: str, size: int = 32, css_class: str = "avatar") -> SafeString:
    """The person's picture by its address (no query): for lists of many people, comments, bylines."""
    return format_html(
        '<img class="{}" src="{}" alt="" width="{}" height="{}" loading="lazy" decoding="async">',
        css_class,
        avatar_url(username),
        size,
        size,
    )


@register.simple_tag
def pair_avatars(pair, size: int = 36) -> SafeString:
    """Both members' pictures, overlapping, for a byline (decorative: the names follow)."""
    return format_html(
        '<span class="avatar-pair" aria-hidden="true">{}{}</span>',
        avatar_image(pair.first_member.get_username(), size),
        avatar_image(pair.second_member.get_username(), size),
    )


@register.simple_tag
def topic_links(tags) -> SafeString:
    """Comma-separated links to the topics' streams."""
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("topic_detail", args=[t.slug]), t.name) for t in tags if t.slug),
    )


@register.filter
def tenure(profile) -> str:
    """ "20 years here", "8 months here", "new this month"; empty when the join date is unknown."""
    months = profile.tenure_months() if profile is not None else None
    if months is None:
        return ""
    if months >= 12:
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''} here"
    return f"{months} month{'s' if months != 1 else ''} here" if months else "new this month"
