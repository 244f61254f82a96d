"""Reads of topic requests for pages other than their own: a topic's page, a person's page.

A fixed number of queries each, whatever the number of requests; only
requests the viewer may see (the one rule, through ``requests_for_listing``).
"""

from wagtail.models import Page

from taggit.models import Tag

from learning.models import TopicRequestPage
from learning.models.votes import attach_answers, requests_for_listing

TOPIC_REQUESTS_SHOWN = 5
PERSON_REQUESTS_SHOWN = 10


def topic_open_requests(*, tag: Tag, user, session=None, limit: int = TOPIC_REQUESTS_SHOWN) -> list[Page]:
    """The open requests on ``tag``, most votes first: what people want written on the topic."""
    requests = TopicRequestPage.objects.filter(
        status=TopicRequestPage.Status.OPEN, pk__in=TopicRequestPage.objects.filter(tagged_items__tag=tag)
    )
    listed = requests_for_listing(requests, user=user, session=session)
    return list(listed.order_by("-vote_count", "-asked_at", "-pk")[:limit])


def person_requests(*, person, viewer, session=None, limit: int = PERSON_REQUESTS_SHOWN) -> list[Page]:
    """What ``person`` asked for, newest first, with answers ``viewer`` may see."""
    listed = requests_for_listing(
        TopicRequestPage.objects.filter(requester=person), user=viewer, session=session
    )
    found = list(listed.order_by("-asked_at", "-pk")[:limit])
    attach_answers(found, user=viewer, session=session)
    return found
