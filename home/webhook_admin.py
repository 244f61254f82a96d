"""Chat webhooks in the Wagtail admin (Settings → Chat webhooks): the hooks, and the log of their deliveries.

Editors and superusers only. A hook's secret is made when it is created and
shown, read-only, on its form (the receiver needs it to check signatures).
The listing shows each hook's last delivery and last error in a fixed number
of queries; the delivery log is read-only, filtered by hook, event and status.
"""

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from home.models import WEBHOOK_URL_REFUSED, ChatWebhook, ChatWebhookDelivery
from site.people import EDITORS, is_editor


class EditorsManagePolicy(ModelPermissionPolicy):
    """Editors and superusers may do everything with hooks; others nothing."""

    def user_has_permission(self, user, action):
        return is_editor(user)

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(groups__name=EDITORS), is_active=True)
            .distinct()
        )


class EditorsViewPolicy(EditorsManagePolicy):
    """The delivery log is written by the worker only: editors may view it."""

    def user_has_permission(self, user, action):
        return action == "view" and is_editor(user)


register_permission_policy(ChatWebhook, EditorsManagePolicy(ChatWebhook))
register_permission_policy(ChatWebhookDelivery, EditorsViewPolicy(ChatWebhookDelivery))


class ChatWebhookForm(WagtailAdminModelForm):
    """One clear message for any address that is not http(s), malformed or of another scheme."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].error_messages["invalid"] = WEBHOOK_URL_REFUSED


class RefusedFormIs400:
    """A form sent back with errors answers 400, like every other form of the site."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class WebhookCreateView(RefusedFormIs400, CreateView):
    pass


class WebhookEditView(RefusedFormIs400, EditView):
    pass


class WebhookIndexView(IndexView):
    def get_base_queryset(self):
        latest = ChatWebhookDelivery.objects.filter(hook=OuterRef("pk")).order_by("-created", "-pk")
        failed = latest.exclude(last_error="")
        return (
            super()
            .get_base_queryset()
            .select_related("topic")
            .annotate(
                last_status=Subquery(latest.values("status")[:1]),
                last_delivered=Subquery(latest.values("created")[:1]),
                last_error_text=Subquery(failed.values("last_error")[:1]),
            )
        )


class DeliveryIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("hook")


def _status_label(hook) -> str:
    if hook.last_status is None:
        return "None yet"
    return ChatWebhookDelivery.Status(hook.last_status).label


def deliveries_url(hook: ChatWebhook) -> str:
    """The delivery log, filtered to ``hook``."""
    return f"{reverse('chat_webhook_deliveries:index')}?hook={hook.pk}"


class ChatWebhookViewSet(ModelViewSet):
    model = ChatWebhook
    icon = "link-external"
    menu_label = "Chat webhooks"
    add_to_settings_menu = True
    url_prefix = "chat-webhooks"
    name = "chat_webhooks"
    index_view_class = WebhookIndexView
    add_view_class = WebhookCreateView
    edit_view_class = WebhookEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "name",
        Column(
            "topic", label="Topic", accessor=lambda hook: hook.topic.name if hook.topic else "Every topic"
        ),
        Column("format", label="Format", accessor="get_format_display"),
        BooleanColumn("active", label="Active"),
        Column("last_status", label="Last delivery", accessor=_status_label),
        DateColumn("last_delivered", label="Last delivered"),
        Column(
            "last_error_text", label="Last error", accessor=lambda hook: (hook.last_error_text or "")[:120]
        ),
        TitleColumn("deliveries", label="Log", accessor=lambda hook: "Deliveries", get_url=deliveries_url),
    ]
    list_filter = ["active", "format"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("url"),
            FieldPanel("format"),
            FieldPanel("topic"),
            MultiFieldPanel(
                [
                    FieldPanel("on_page_published"),
                    FieldPanel("on_request_opened"),
                    FieldPanel("on_request_answered"),
                    FieldPanel("on_question_waiting"),
                ],
                heading="Events",
            ),
            FieldPanel("active"),
            FieldPanel("secret", read_only=True),
        ],
        base_form_class=ChatWebhookForm,
    )


class ChatWebhookDeliveryViewSet(ModelViewSet):
    model = ChatWebhookDelivery
    icon = "list-ul"
    menu_label = "Chat webhook deliveries"
    add_to_settings_menu = True
    url_prefix = "chat-webhook-deliveries"
    name = "chat_webhook_deliveries"
    index_view_class = DeliveryIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        Column("hook", label="Hook", accessor=lambda delivery: delivery.hook.name),
        Column("event", label="Event", accessor="get_event_display"),
        Column("status", label="Status", accessor="get_status_display"),
        Column("http_status", label="HTTP"),
        Column("attempts", label="Tries"),
        Column("last_error", label="Last error", accessor=lambda delivery: delivery.last_error[:120]),
        DateColumn("created", label="Recorded"),
        DateColumn("last_attempt_at", label="Last try"),
    ]
    list_filter = ["hook", "event", "status"]
    inspect_view_fields = [
        "hook",
        "event",
        "subject_key",
        "status",
        "http_status",
        "attempts",
        "last_error",
        "created",
        "last_attempt_at",
    ]
    form_fields = ["status"]  # never shown: the policy allows no change
