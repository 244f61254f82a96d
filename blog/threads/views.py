"""HTTP for threads: the JSON API, the no-JavaScript form, the notification list.

Views validate, call one service and turn a ``ThreadError`` into a response;
the API answers with the protocol's error codes and fitting HTTP statuses.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from wagtail.models import Page

from blog.threads import flags, frames, questions, services
from blog.threads.access import thread_access
from blog.threads.errors import ThreadError
from blog.threads.selectors import (
    Viewer,
    comment_data,
    comment_in_thread,
    notification_list,
    questions_waiting_count,
    reactions_of,
    thread_after,
    thread_before,
    thread_context,
    thread_snapshot,
)
from blog.threads.sockets import MAX_FRAME_BYTES
from site.inputs import InvalidInput, optional_id, parse_id, parse_json


def _error_response(error: ThreadError) -> JsonResponse:
    response = JsonResponse({"error": error.as_dict()}, status=error.http_status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def _query_id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name)
    if value is None:
        return None
    try:
        return parse_id(value, name=name)
    except InvalidInput as error:
        raise ThreadError("invalid", f"{name} must be a comment id.") from error


@csrf_exempt  # checked below, after authentication, so failures answer in JSON
@require_http_methods(["GET", "POST"])
def thread_comments_api(request: HttpRequest, page_id: int) -> JsonResponse:
    """``GET``: comments (newest 100, or ``?after=``/``?before=``); ``POST``: add one."""
    try:
        access = thread_access(page_id=page_id, user=request.user, session=request.session)
        if request.method == "GET":
            return JsonResponse(_comments(request, page_id))
        return _create(request, access.page)
    except ThreadError as error:
        return _error_response(error)
    except DatabaseError:
        return _error_response(ThreadError("unavailable", "Not saved: the server is busy. Try again."))


def _comments(request: HttpRequest, page_id: int) -> dict:
    viewer = Viewer.of(request.user)
    after, before = _query_id(request, "after"), _query_id(request, "before")
    if after is not None and before is not None:
        raise ThreadError("invalid", "Use after or before, not both.")
    if after is not None:
        return thread_after(page_id=page_id, after=after, viewer=viewer).as_dict()
    if before is not None:
        return thread_before(page_id=page_id, before=before, viewer=viewer).as_dict()
    return thread_snapshot(page_id=page_id, viewer=viewer).as_dict()


def _json_write(request: HttpRequest) -> dict:
    """The JSON object a signed-in person sends to write, CSRF-checked; raises ``ThreadError``."""
    if not request.user.is_authenticated:
        raise ThreadError("auth_required", "Sign in to take part in this thread.")
    # Read the body before the CSRF check: for a form-encoded or multipart body
    # the check reads request.POST, which would use up the stream.
    body = request.body
    try:
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
    except MultiPartParserError as error:
        raise ThreadError("invalid", "Send a JSON object.") from error
    if refused is not None:
        raise ThreadError("forbidden", "The CSRF token is missing or wrong.")
    if len(body) > MAX_FRAME_BYTES:
        raise ThreadError("too_long", "A request can be at most 64 KiB.")
    try:
        payload = parse_json(body, max_bytes=MAX_FRAME_BYTES)
    except InvalidInput as error:
        raise ThreadError("invalid", f"The request body is not usable JSON: {error}") from error
    if not isinstance(payload, dict):
        raise ThreadError("invalid", "Send a JSON object.")
    return payload


def _create(request: HttpRequest, page: Page) -> JsonResponse:
    payload = _json_write(request)
    parent = payload.get("parent")
    if parent is not None:
        parent = _json_id(parent, "parent")
    result = services.comment_create(
        page=page,
        user=request.user,
        body=payload.get("body"),
        client_id=payload.get("client_id"),
        parent_id=parent,
        question=payload.get("question", False),
    )
    viewer = Viewer.of(request.user)
    data = comment_data(result.comment, viewer=viewer, reactions=reactions_of(result.comment.pk))
    return JsonResponse({"comment": data}, status=201 if result.created else 200)


@csrf_exempt  # checked in ``_json_write``, after authentication, so failures answer in JSON
@require_http_methods(["GET", "PATCH"])
def thread_comment_api(request: HttpRequest, page_id: int, comment_id: int) -> JsonResponse:
    """``GET``: one comment, as the reader may see it (its author and editors get ``body``);
    ``PATCH {"body"}``: edit it (its author, or an editor), through the same service as the socket."""
    try:
        access = thread_access(page_id=page_id, user=request.user, session=request.session)
        viewer = Viewer.of(request.user)
        if request.method == "GET":
            comment = comment_in_thread(page_id=page_id, comment_id=comment_id)
            if comment is None:
                raise ThreadError("not_found", "That comment is not in this thread.")
        else:
            payload = _json_write(request)
            comment = services.comment_edit(
                page=access.page, user=request.user, comment_id=comment_id, body=payload.get("body")
            )
        data = comment_data(comment, viewer=viewer, reactions=reactions_of(comment.pk))
        return JsonResponse({"comment": data})
    except ThreadError as error:
        return _error_response(error)
    except DatabaseError:
        return _error_response(ThreadError("unavailable", "Not saved: the server is busy. Try again."))


@csrf_exempt  # checked in ``_json_write``, after authentication, so failures answer in JSON
@require_http_methods(["POST"])
def thread_flag_api(request: HttpRequest, page_id: int, comment_id: int) -> JsonResponse:
    """``POST {"reason", "note"}``: flag a comment for the editors; 201, or 200 when flagged already."""
    try:
        access = thread_access(page_id=page_id, user=request.user, session=request.session)
        payload = _json_write(request)
        result = flags.comment_flag(
            page=access.page,
            user=request.user,
            comment_id=comment_id,
            reason=payload.get("reason"),
            note=payload.get("note", ""),
        )
        frame = frames.flagged_frame(result.flag)
        return JsonResponse({"flag": frame["flag"], "id": frame["id"]}, status=201 if result.created else 200)
    except ThreadError as error:
        return _error_response(error)
    except DatabaseError:
        return _error_response(ThreadError("unavailable", "Not saved: the server is busy. Try again."))


@csrf_exempt  # checked in ``_json_write``, after authentication, so failures answer in JSON
@require_http_methods(["POST"])
def thread_answer_api(request: HttpRequest, page_id: int) -> JsonResponse:
    """``POST {"question": id, "answer": id|null}``: mark a question's answer, or unmark it."""
    try:
        access = thread_access(page_id=page_id, user=request.user, session=request.session)
        payload = _json_write(request)
        if "answer" not in payload:
            raise ThreadError("invalid", "Send answer: a comment id, or null to unmark.")
        answer = payload["answer"]
        question = questions.comment_answer(
            page=access.page,
            user=request.user,
            question_id=_json_id(payload.get("question"), "question"),
            answer_id=None if answer is None else _json_id(answer, "answer"),
        )
        data = comment_data(question, viewer=Viewer.of(request.user), reactions=reactions_of(question.pk))
        return JsonResponse({"comment": data})
    except ThreadError as error:
        return _error_response(error)
    except DatabaseError:
        return _error_response(ThreadError("unavailable", "Not saved: the server is busy. Try again."))


# --- the form on the page, for browsers without JavaScript ------------------------------


def thread_form_post(request: HttpRequest, page) -> HttpResponse:
    """A POST to a thread page: comment, reply, edit, flag, react, delete, hide or mark an answer; then to it.

    On a refused comment or edit the page is shown again with the message next
    to the form and the text kept.
    """
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': page.url})}")
    body = request.POST.get("body", "")
    parent = request.POST.get("parent") or None
    action, comment_id = "", None  # until read: an unreadable action is reported like any refused button
    try:
        action, comment_id, argument = _form_action(request.POST)
        access = thread_access(page_id=page.pk, user=request.user, session=request.session)
        if action == "comment":
            result = services.comment_create(
                page=access.page,
                user=request.user,
                body=body,
                client_id=request.POST.get("client_id", ""),
                parent_id=_form_id(parent) if parent else None,
                question=request.POST.get("question") == "1",
            )
            comment_id = result.comment.pk
        elif action == "react":
            services.reaction_toggle(
                page=access.page,
                user=request.user,
                comment_id=comment_id,
                kind=argument,
            )
        elif action == "flag":
            flags.comment_flag(
                page=access.page,
                user=request.user,
                comment_id=comment_id,
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(request, "Thank you: the editors will look at it.")
        elif action == "edit":
            services.comment_edit(page=access.page, user=request.user, comment_id=comment_id, body=body)
        elif action == "delete":
            services.comment_delete(page=access.page, user=request.user, comment_id=comment_id)
        elif action in ("hide", "show"):
            services.comment_hide(
                page=access.page, user=request.user, comment_id=comment_id, hidden=action == "hide"
            )
        elif action in ("answer", "unanswer"):
            # Both buttons sit on the reply: ``comment`` is the answer, the argument its question.
            question = _form_id(argument or None)
            if question is None or comment_id is None:
                raise ThreadError("invalid", "That is not a question's reply.")
            questions.comment_answer(
                page=access.page,
                user=request.user,
                question_id=question,
                answer_id=comment_id if action == "answer" else None,
            )
        else:
            raise ThreadError("invalid", "Unknown action.")
    except ThreadError as error:
        if action == "flag" and comment_id is not None:
            messages.error(request, error.message)  # above its form, open again
            return HttpResponseRedirect(f"{page.url}?flag={comment_id}#flag-{comment_id}")
        if action not in ("comment", "edit"):
            messages.error(request, error.message)
            return HttpResponseRedirect(page.url + "#thread")
        context = page.get_context(request)
        context["thread"] = thread_context(
            page=page,
            user=request.user,
            form_body=body,
            form_error=error.message,
            form_parent=parent if action == "comment" else None,
            form_question=action == "comment" and request.POST.get("question") == "1",
            form_edit=request.POST.get("comment") if action == "edit" else None,
        )
        status = error.http_status if error.http_status != 401 else 403
        return TemplateResponse(request, page.get_template(request), context, status=status)
    except DatabaseError:
        messages.error(request, "Not saved: the server is busy. Try again.")
        return HttpResponseRedirect(page.url + "#thread")
    return HttpResponseRedirect(f"{page.url}#comment-{comment_id}", status=303)


# What the buttons under a comment say they do: ``act=<action>:<comment>[:<argument>]``.
BUTTON_ACTIONS = {"react", "answer", "unanswer", "delete", "hide", "show"}


def _form_action(post) -> tuple[str, int | None, str]:
    """What a thread form asks for: the action, the comment it acts on, and the reaction or question.

    The buttons under each comment all submit one form, so each says all
    three in its value (``act=react:12:like``), as the buttons thread.js
    draws do; the forms with a text field (comment, reply, edit, flag) say
    them in fields of their own (``action``, ``comment``, ``reaction``,
    ``question``), which are accepted for the buttons' actions too.
    """
    if "act" in post:
        action, _, rest = post["act"].partition(":")
        comment, _, argument = rest.partition(":")
        if action not in BUTTON_ACTIONS:
            raise ThreadError("invalid", "Unknown action.")
        return action, _form_id(comment), argument
    action = post.get("action") or ("react" if "reaction" in post else "comment")
    argument = post.get("reaction", "") if action == "react" else post.get("question", "")
    return action, _form_id(post.get("comment")), argument


def _form_id(value: str | None) -> int | None:
    try:
        return optional_id(value, name="comment")
    except InvalidInput as error:
        raise ThreadError("invalid", "That is not a comment.") from error


def _json_id(value: object, name: str) -> int:
    """An id in a JSON body: a JSON integer (never a string, nor a boolean), in range."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ThreadError("invalid", f"{name} must be a comment id.")
    return _parsed_id(value, name)


def _parsed_id(value: object, name: str) -> int:
    try:
        return parse_id(value, name=name)
    except InvalidInput as error:
        raise ThreadError("invalid", str(error)) from error


# --- notifications ---------------------------------------------------------------------


@login_required
def notification_index(request: HttpRequest) -> HttpResponse:
    """The list; what it shows counts as seen, so it is marked read before the page (and its header) is drawn.

    The entries keep the state they were fetched in, so the new ones are still marked "new" here.
    """
    entries = notification_list(user=request.user)
    shown_unread = [entry.notification.pk for entry in entries if entry.notification.read is None]
    if shown_unread:
        services.notifications_mark_read(user=request.user, ids=shown_unread)
    context = {"entries": entries, "questions_waiting": questions_waiting_count(user=request.user)}
    return render(request, "blog/notification_list.html", context)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return HttpResponseRedirect(reverse("notification_index"))
