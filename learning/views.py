"""Topic, stream and progress views: each validates input, calls one service or selector, responds.

Every write is a plain POST form with a CSRF token, so it works without
JavaScript; the knowledge check also answers ``fetch`` requests with just
its own section of the page.
"""

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from taggit.models import Tag

from blog.models import BlogPostPage, MentorPair
from learning import selectors, services
from learning.feeds import TopicFeed
from learning.forms import QuestionFilterForm
from learning.knowledge_check import answers_from_post, attempt_review
from learning.models import LessonPage
from learning.models.progress import LessonProgress, lesson_progress
from learning.models.topics import TopicRedirect
from learning.questions import QuestionFilter, open_questions_page
from learning.request_selectors import topic_open_requests
from site.inputs import InvalidInput, check_text
from site.visibility import visible_pages

# A fetch() from site/static/js/knowledge-check.js sends this header and gets a fragment back.
FRAGMENT_HEADER = "X-Pairwise-Fragment"


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the form's ``next`` field when it is on this site, else to ``default``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return HttpResponseRedirect(target)  # an address, never a URL name to reverse
    return HttpResponseRedirect(default)


# --- Topics ------------------------------------------------------------------


def _by_slug(rows: QuerySet, field: str, slug: str):
    """The row whose ``field`` is ``slug``, else one whose ``field`` differs from it only in letter case.

    ``slug.lower()`` as well as ``iexact``: SQLite folds the case of ASCII letters only.
    """
    lower = slug.lower()
    matches = rows.filter(Q(**{f"{field}__in": {slug, lower}}) | Q(**{f"{field}__iexact": slug}))
    return min(
        matches,
        key=lambda row: (getattr(row, field) != slug, getattr(row, field) != lower, row.pk),
        default=None,
    )


def _topic(slug: str) -> Tag:
    """The topic at ``/topics/<slug>/``: by its slug in any letter case, else by an address it used to have.

    A live topic wins over an old address. The caller compares ``tag.slug``
    with ``slug`` to send the reader on to the topic's own address.
    """
    try:
        check_text(slug, name="slug")
    except InvalidInput as error:  # a NUL or a lone surrogate names no topic
        raise Http404("No such topic.") from error
    tag = _by_slug(Tag.objects.all(), "slug", slug)
    if tag is None:
        old = _by_slug(TopicRedirect.objects.select_related("tag"), "old_slug", slug)
        if old is None:
            raise Http404("No such topic.")
        tag = old.tag
    return tag


def _moved(request: HttpRequest, tag: Tag) -> HttpResponsePermanentRedirect:
    """301 to the same view at the topic's own address, with the same query (a stream cursor)."""
    url = reverse(request.resolver_match.view_name, kwargs={"slug": tag.slug})
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def topic_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/topic_index.html",
        {
            "topics": selectors.topic_list(user=request.user),
            "trending": selectors.trending_topics(user=request.user),
            "followed_tag_ids": selectors.followed_tag_ids(user=request.user),
        },
    )


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = _topic(slug)
    if tag.slug != slug:
        return _moved(request, tag)
    return render(
        request,
        "learning/topic_detail.html",
        {
            "tag": tag,
            "stream": selectors.topic_stream(tag=tag, user=request.user, after=request.GET.get("after")),
            "related": selectors.related_topics(tag=tag, user=request.user),
            "who_to_ask": selectors.who_to_ask(tag=tag, user=request.user),
            "pairs_writing": selectors.pairs_writing_on(tag=tag, user=request.user),
            "following": tag.pk in selectors.followed_tag_ids(user=request.user),
            "open_requests": topic_open_requests(tag=tag, user=request.user, session=request.session),
        },
    )


def topic_suggest(request: HttpRequest) -> JsonResponse:
    """``GET /api/topics/?q=wik``: ``{"topics": ["Wikis", ...]}`` for the profile form's type-ahead."""
    prefix = request.GET.get("q", "")[:100]
    try:
        check_text(prefix, name="q")
    except InvalidInput:
        prefix = ""
    return JsonResponse({"topics": selectors.topic_suggestions(prefix=prefix, user=request.user)})


def topic_feed(request: HttpRequest, slug: str) -> HttpResponse:
    tag = _topic(slug)
    if tag.slug != slug:
        return _moved(request, tag)
    return TopicFeed()(request, tag=tag)


@require_POST
@login_required
def topic_follow(request: HttpRequest, slug: str) -> HttpResponse:
    # A form posted to an old address acts on the topic it now leads to, with
    # no redirect: a 301 or 302 would turn the POST into a GET (refused here)
    # and lose the click, and a 307 would only make the browser send the same
    # form twice; the answer is a redirect to the topic's own page either way.
    tag = _topic(slug)
    follow = request.POST.get("follow") == "1"
    services.topic_follow(user=request.user, tag=tag, follow=follow)
    messages.success(request, f"You follow {tag.name}." if follow else f"You no longer follow {tag.name}.")
    return _back(request, default=f"/topics/{tag.slug}/")


@require_POST
@login_required
def pair_follow(request: HttpRequest, slug: str) -> HttpResponse:
    pair = get_object_or_404(MentorPair, slug=slug)
    follow = request.POST.get("follow") == "1"
    services.pair_follow(user=request.user, pair=pair, follow=follow)
    messages.success(request, f"You follow {pair.name}." if follow else f"You no longer follow {pair.name}.")
    return _back(request, default=pair.get_absolute_url())


# --- A reader's own learning ---------------------------------------------------


@login_required
def my_stream(request: HttpRequest) -> HttpResponse:
    due_reviews = selectors.due_reviews(user=request.user)
    return render(
        request,
        "learning/my_stream.html",
        {
            "stream": selectors.personal_stream(user=request.user, after=request.GET.get("after")),
            "due_reviews": due_reviews,
            "next_review": None if due_reviews else selectors.next_review(user=request.user),
            "collections_in_progress": selectors.collections_in_progress(user=request.user),
            "follows": selectors.follows_of(user=request.user),
        },
    )


@require_POST
@login_required
def post_mark_read(request: HttpRequest, page_id: int) -> HttpResponse:
    posts = visible_pages(BlogPostPage.objects.all(), user=request.user, session=request.session)
    post = get_object_or_404(posts, pk=page_id)
    complete = partial(services.post_mark_read, user=request.user, post=post)
    return _mark(request, post, complete, ("read", "unread"))


def _mark(request: HttpRequest, page, complete: Callable[[], object], words: tuple[str, str]) -> HttpResponse:
    """``complete()`` the page for the reader, or take that back when the form says ``undo``."""
    if request.POST.get("undo"):
        services.completion_undo(user=request.user, page=page)
        word = words[1]
    else:
        complete()
        word = words[0]
    messages.success(request, f"Marked “{page.title}” as {word}.")
    return _back(request, default=page.url)


# --- Lessons -------------------------------------------------------------------


def _lesson(request: HttpRequest, page_id: int) -> LessonPage:
    """The live lesson ``page_id`` if the reader may see it (the one rule), else 404."""
    lessons = visible_pages(LessonPage.objects.all(), user=request.user, session=request.session)
    return get_object_or_404(lessons, pk=page_id)


def _progress(request: HttpRequest, lesson: LessonPage, **changes) -> LessonProgress:
    progress = lesson_progress(lesson=lesson, user=request.user, session=request.session)
    return replace(progress, **changes)


@require_POST
def lesson_check(request: HttpRequest, page_id: int) -> HttpResponse:
    """Check the submitted answers; the results are shown on the lesson at ``?attempt=<id>``."""
    lesson = _lesson(request, page_id)
    if not request.user.is_authenticated:  # back to the lesson once signed in, not to this POST target
        return redirect_to_login(lesson.url)
    fragment = request.headers.get(FRAGMENT_HEADER) == "knowledge-check"
    try:
        attempt = services.knowledge_check_submit(
            user=request.user, lesson=lesson, answers=answers_from_post(request.POST)
        )
    except services.KnowledgeCheckError as error:
        context = {"progress": _progress(request, lesson), "check_error": error.messages[0], "page": lesson}
        if fragment:
            return TemplateResponse(request, "learning/includes/knowledge_check.html", context, status=400)
        page_context = {**lesson.get_context(request), **context}
        return TemplateResponse(request, lesson.get_template(request), page_context, status=400)
    if fragment:
        progress = _progress(request, lesson, check=attempt_review(lesson=lesson, attempt=attempt))
        context = {"progress": progress, "page": lesson}
        return TemplateResponse(request, "learning/includes/knowledge_check.html", context)
    return HttpResponseRedirect(f"{lesson.url}?attempt={attempt.pk}#knowledge-check")


@require_POST
def lesson_mark_done(request: HttpRequest, page_id: int) -> HttpResponse:
    lesson = _lesson(request, page_id)
    if not request.user.is_authenticated:
        return redirect_to_login(lesson.url)
    complete = partial(services.lesson_complete, user=request.user, lesson=lesson)
    return _mark(request, lesson, complete, ("done", "not done"))


# --- Questions -----------------------------------------------------------------


def question_index(request: HttpRequest) -> HttpResponse:
    """Open questions on pages the reader may see, oldest first; a filter that does not validate is a 400."""
    form = QuestionFilterForm(request.GET)
    valid = form.is_valid()
    only = QuestionFilter()
    if valid:
        data = form.cleaned_data
        mine = data["asked"] == "me" and request.user.is_authenticated
        only = QuestionFilter(topic=data["topic"], pair=data["pair"], asked_of=request.user if mine else None)
    questions = open_questions_page(
        user=request.user, session=request.session, only=only, number=request.GET.get("page")
    )
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {"form": form, "questions": questions if valid else None, "query": kept.urlencode()}
    return render(request, "learning/question_index.html", context, status=200 if valid else 400)
