"""The "answers request" field of post and lesson edit forms.

Posts belong to ``blog``, which must not know requests exist, so the field is
handed down from here when the app is ready (``attach_request_chooser``): the
page type's admin form gains the field and its panel; the request, not the
post, holds the link. The ``after_create_page`` and ``after_edit_page`` hooks
(``learning/wagtail_hooks.py``) pass the choice to
``request_services.request_answer_choose``, which checks it again; the
request is answered once the page is published.
"""

from django import forms
from django.db.models import Q

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel

from learning.models import TopicRequestPage
from site.people import is_editor

FIELD = "answers_request"


class RequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.get_status_display().lower()})"


class AnswersRequestForm(WagtailAdminPageForm):
    """Mixed into a page type's ``base_form_class``: which open request the page answers."""

    answers_request = RequestChoiceField(
        queryset=TopicRequestPage.objects.none(),
        required=False,
        label="Answers the request",
        help_text=(
            "A request your pair claimed (or an open one). It is marked answered when this is published."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user, page = self.for_user, self.instance
        linked = Q(answer_id=page.pk) if page.pk else Q(pk__in=[])
        choices = TopicRequestPage.objects.filter(status__in=TopicRequestPage.ACTIVE)
        if user is not None and not is_editor(user):
            mine = Q(claimed_by__first_member=user) | Q(claimed_by__second_member=user)
            choices = choices.filter(Q(status=TopicRequestPage.Status.OPEN) | mine)
        self.fields[FIELD].queryset = TopicRequestPage.objects.filter(
            Q(pk__in=choices.values("pk")) | linked
        ).order_by("title")
        if page.pk:
            self.fields[FIELD].initial = TopicRequestPage.objects.filter(answer_id=page.pk).first()


def attach_request_chooser(model) -> None:
    """Give ``model`` (a post or lesson type) the field, before Wagtail first builds its edit handler."""
    if issubclass(model.base_form_class, AnswersRequestForm):
        return
    model.base_form_class = type(
        f"{model.__name__}AdminForm", (AnswersRequestForm, model.base_form_class), {"__module__": __name__}
    )
    model.content_panels = [*model.content_panels, FieldPanel(FIELD)]
