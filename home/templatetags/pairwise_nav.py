from django import template
from django.utils.html import format_html

from site.readers import Reader, reader_state

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, href: str, label: str) -> str:
    """A main-navigation item, marked as current for its section of the site."""
    path = context["request"].path
    current = path == href if href == "/" else path.startswith(href)
    if current:
        return format_html('<li><a href="{}" aria-current="page">{}</a></li>', href, label)
    return format_html('<li><a href="{}">{}</a></li>', href, label)


@register.simple_tag(takes_context=True)
def signed_in_reader(context) -> Reader | None:
    """The page's facts about the signed-in reader (``site.readers``); ``None`` when signed out."""
    request = context.get("request")
    return reader_state(request) if request is not None else None
