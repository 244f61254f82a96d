"""The pairing board in the Wagtail admin (editors only): explained suggestions, and accepting one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from blog.selectors import pairing_board
from blog.services import pair_create_from_suggestion
from site.inputs import InvalidInput, parse_id
from site.people import EditorsOnlyMixin, is_editor


class PairingView(EditorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "blog/admin/pairing.html"
    page_title = "Pairing suggestions"
    header_icon = "group"
    breadcrumbs_items = [
        {"url": reverse_lazy("wagtailadmin_home"), "label": "Home"},
        {"url": "", "label": "Pairing"},
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["board"] = pairing_board(today=timezone.localdate())
        return context


@require_POST
def pairing_accept(request: HttpRequest) -> HttpResponse:
    """Make the pair an editor accepted from the board; a clear message whatever the outcome."""
    if not is_editor(request.user):
        raise PermissionDenied
    try:
        first_id = parse_id(request.POST.get("first"), name="first")
        second_id = parse_id(request.POST.get("second"), name="second")
        pair = pair_create_from_suggestion(user=request.user, first_id=first_id, second_id=second_id)
    except InvalidInput:
        messages.error(request, "That suggestion names nobody; reload the page and try again.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{pair.name} is a pair now; both have been told.")
    return redirect(reverse("blog_pairing:index"))
