"""What blog templates embed from learning: follow a pair, mark a post read, a person's requests.

Read-only: each tag asks one question of the database for the signed-in
reader and renders a plain form; the write happens in a view.
"""

from django import template

from learning.models import PairFollow
from learning.request_selectors import person_requests
from site.readers import reader_state

register = template.Library()


@register.inclusion_tag("learning/includes/follow_button.html", takes_context=True)
def pair_follow_button(context, pair):
    user = context["request"].user
    following = user.is_authenticated and PairFollow.objects.filter(user=user, pair=pair).exists()
    return {
        "request": context["request"],
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "action": f"/pairs/{pair.slug}/follow/",
        "following": following,
        "name": pair.name,
    }


@register.inclusion_tag("learning/includes/mark_read.html", takes_context=True)
def post_mark_read_button(context, post):
    user = context["request"].user
    # A preview of a new post has no id yet: nothing to mark. The answer comes
    # with the reader's other facts, in the query the page makes anyway.
    reader = reader_state(context["request"], page=post) if post.pk else None
    done = reader is not None and reader.finished_page
    return {
        "request": context["request"],
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "post": post,
        "done": done,
    }


@register.inclusion_tag("learning/includes/request_list.html", takes_context=True)
def person_request_list(context, person):
    """What ``person`` asked for (``/people/<username>/``), as far as the reader may see; three queries."""
    request = context["request"]
    return {
        "requests": person_requests(person=person, viewer=request.user, session=request.session),
        "empty_message": "No requests yet.",
    }
