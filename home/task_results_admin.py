"""Background tasks in the Wagtail admin (Settings → Background tasks): each result, and why one failed.

Read-only, for editors and superusers: a listing filtered by status and
queue, and an inspect view with the arguments, the workers that tried it
and the traceback. It shows django-tasks-db's ``DBTaskResult`` table, so it
lists what the database backend ran; with ``TASKS_BACKEND=rq`` results live
in Redis (RQ's own tools show them) and this list stays empty.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from django_tasks_db.models import DBTaskResult

from site.people import EDITORS, is_editor


class EditorsMayViewPolicy(ModelPermissionPolicy):
    """Editors and superusers may view; nobody adds, changes or deletes a result here."""

    def user_has_permission(self, user, action):
        return action == "view" and is_editor(user)

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(groups__name=EDITORS), is_active=True)
            .distinct()
        )


register_permission_policy(DBTaskResult, EditorsMayViewPolicy(DBTaskResult))


class TaskResultViewSet(ModelViewSet):
    model = DBTaskResult
    icon = "cogs"
    menu_label = "Background tasks"
    add_to_settings_menu = True
    url_prefix = "background-tasks"
    name = "background_tasks"
    list_display = ["task_name", "status", "enqueued_at", "finished_at", "exception_class_path"]
    list_filter = ["status", "queue_name"]
    ordering = ["-enqueued_at"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "task_path",
        "status",
        "args_kwargs",
        "enqueued_at",
        "run_after",
        "started_at",
        "finished_at",
        "worker_ids",
        "return_value",
        "exception_class_path",
        "traceback",
    ]
    exclude_form_fields = []  # no form is ever shown: the policy allows no change
