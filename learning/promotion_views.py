"""``/conversations/<id>/promote/``: the form that promotes a conversation into a draft lesson.

A plain form (no JavaScript needed): the conversation with a checkbox per
reply, and a title. It calls ``learning.promotions.lesson_promote`` and sends
the promoter to the draft in the admin, where the usual review workflow
takes it on. Someone who may not see the conversation gets a 404; someone who
may see it but not promote it, a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from learning.forms import PromoteConversationForm
from learning.promotions import ConversationNotFound, conversation_to_promote, lesson_promote


@login_required
def promote_conversation(request: HttpRequest, comment_id: int) -> HttpResponse:
    try:
        conversation = conversation_to_promote(
            user=request.user, comment_id=comment_id, session=request.session
        )
    except ConversationNotFound as error:
        raise Http404(str(error)) from error
    except PermissionDenied:
        return _forbidden(request)
    form = PromoteConversationForm(request.POST or None, conversation=conversation)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = lesson_promote(
                user=request.user,
                comment_id=conversation.comment.pk,
                reply_ids=[int(pk) for pk in form.cleaned_data["replies"]],
                title=form.cleaned_data["title"],
                session=request.session,
            )
        except PermissionDenied:
            return _forbidden(request)
        except ValidationError as error:
            for field, problems in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request, "A draft lesson is ready: add its objective and takeaways, then submit it."
            )
            return HttpResponseRedirect(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))
    status = 400 if request.method == "POST" else 200
    context = {"conversation": conversation, "form": form}
    return render(request, "learning/lesson_promote.html", context, status=status)


def _forbidden(request: HttpRequest) -> HttpResponse:
    context = {"problem": "Only an editor or the page's authors can promote this conversation."}
    return render(request, "learning/lesson_promote.html", context, status=403)
