"""Topic request forms: ask, vote, claim, release, answer, decline; each a plain POST calling one service.

The listing and each request are Wagtail pages (``learning.models.requests``);
these views take the forms their templates send, and answer a refusal with
the request's page and the reason (400, or 403 for permissions), or with the
sign-in page for someone signed out.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from wagtail.models import Page

from learning import request_services as services
from learning.models import TopicRequestIndexPage, TopicRequestPage
from learning.models.votes import active_pairs_of
from learning.request_forms import RequestAskForm
from site.inputs import InvalidInput, parse_id
from site.visibility import visible_pages


def _index(request: HttpRequest) -> TopicRequestIndexPage:
    index = visible_pages(
        TopicRequestIndexPage.objects.all(), user=request.user, session=request.session
    ).first()
    if index is None:
        raise Http404("Requests are not set up on this site.")
    return index


@login_required
def request_ask(request: HttpRequest) -> HttpResponse:
    """``/requests/ask/``: the form, and its POST. An open request with the same title is offered instead."""
    index = _index(request)
    form = RequestAskForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            page = services.request_ask(
                user=request.user, index=index, session=request.session, **form.cleaned_data
            )
        except services.DuplicateRequest as error:
            duplicate = error.existing
            form.add_error("title", error.message_dict["title"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, "Your request is up. Others can vote for it now.")
            return HttpResponseRedirect(page.url)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "index": index, "duplicate": duplicate}
    return render(request, "learning/request_ask.html", context, status=status)


def _request_page(request: HttpRequest, page_id: int) -> TopicRequestPage:
    """The live request ``page_id`` if the reader may see it (the one rule), else 404."""
    requests = visible_pages(TopicRequestPage.objects.all(), user=request.user, session=request.session)
    return get_object_or_404(requests.select_related("claimed_by"), pk=page_id)


def _back(request: HttpRequest, page: TopicRequestPage) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(page.url)


def _refused(request: HttpRequest, page: TopicRequestPage, problem: str, *, status: int = 400, **context):
    """The request's page again, with ``problem`` said at the top of its actions."""
    page_context = {**page.get_context(request), "action_error": problem, **context}
    return TemplateResponse(request, page.get_template(request), page_context, status=status)


def _form_id(request: HttpRequest, name: str, label: str) -> int:
    try:
        return parse_id(request.POST.get(name), name=label)
    except InvalidInput as error:
        raise ValidationError(str(error)) from error


def _act(request: HttpRequest, page_id: int, act, done: str) -> HttpResponse:
    """Run ``act(page)`` (one service call) for a signed-in reader and say ``done``, or why not."""
    page = _request_page(request, page_id)
    if not request.user.is_authenticated:  # back to the request once signed in, not to this POST target
        return redirect_to_login(page.url)
    try:
        act(page)
    except PermissionDenied as error:
        return _refused(request, page, str(error), status=403)
    except ValidationError as error:
        return _refused(request, page, " ".join(error.messages))
    messages.success(request, done)
    return _back(request, page)


@require_POST
def request_vote(request: HttpRequest, page_id: int) -> HttpResponse:
    wanted = request.POST.get("vote")

    def act(page):
        if wanted not in ("1", "0"):
            raise ValidationError("Send vote=1 to vote or vote=0 to take your vote back.")
        services.request_vote(user=request.user, request=page, vote=wanted == "1")

    return _act(
        request, page_id, act, "Your vote is counted." if wanted == "1" else "Your vote is taken back."
    )


@require_POST
def request_claim(request: HttpRequest, page_id: int) -> HttpResponse:
    def act(page):
        pairs = {pair.pk: pair for pair in active_pairs_of(request.user)}
        if not pairs:
            raise PermissionDenied("Only a member of an active pair can claim a request.")
        pair_id = _form_id(request, "pair", "pair") if len(pairs) != 1 else next(iter(pairs))
        if pair_id not in pairs:
            raise PermissionDenied("Only a member of an active pair can claim a request, for their own pair.")
        services.request_claim(user=request.user, request=page, pair=pairs[pair_id])

    return _act(request, page_id, act, "Claimed: it is yours to write. Everyone who asked will be told.")


@require_POST
def request_release(request: HttpRequest, page_id: int) -> HttpResponse:
    def act(page):
        services.request_release(user=request.user, request=page)

    return _act(request, page_id, act, "Released: the request is open for another pair.")


@require_POST
def request_answer(request: HttpRequest, page_id: int) -> HttpResponse:
    def act(page):
        chosen = _form_id(request, "answer", "The answer")
        pages = visible_pages(Page.objects.all(), user=request.user, session=request.session)
        answer = pages.filter(pk=chosen).first()
        if answer is None:
            raise ValidationError("Choose one of your pair's published posts or lessons.")
        services.request_answer(user=request.user, request=page, page=answer)

    return _act(request, page_id, act, "Marked answered. Everyone who asked will be told.")


@require_POST
def request_decline(request: HttpRequest, page_id: int) -> HttpResponse:
    def act(page):
        # The service checks the reason (and who declines); the form only draws the field.
        services.request_decline(user=request.user, request=page, reason=request.POST.get("reason", ""))

    return _act(request, page_id, act, "Declined; the reason shows on the request.")
