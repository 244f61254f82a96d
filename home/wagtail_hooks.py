"""Wagtail hooks of the site as a whole: the page cache, the programme reports, tasks and chat webhooks."""

from django.urls import path, reverse

from wagtail import hooks

from home.reports import DriftingPeopleReport, LessonCompletionReport, PairActivityReport
from home.task_results_admin import TaskResultViewSet
from home.webhook_admin import ChatWebhookDeliveryViewSet, ChatWebhookViewSet
from site.editors_menu import EditorsMenuItem
from site.page_cache import remember_served_page

# After Wagtail's own view-restriction check (order 0), so only a page the
# request may see is ever noted for the anonymous page cache.
hooks.register("on_serve_page", remember_served_page, order=10)


_REPORTS = [
    ("pairs", PairActivityReport, "programme_pairs"),
    ("drifting", DriftingPeopleReport, "programme_drifting"),
    ("lessons", LessonCompletionReport, "programme_lessons"),
]


@hooks.register("register_admin_urls")
def register_programme_reports():
    urls = []
    for slug, view, name in _REPORTS:
        urls.append(path(f"reports/programme/{slug}/", view.as_view(), name=name))
        urls.append(
            path(
                f"reports/programme/{slug}/results/", view.as_view(results_only=True), name=f"{name}_results"
            )
        )
    return urls


@hooks.register("register_reports_menu_item")
def register_programme_report_menu_item():
    return EditorsMenuItem("Programme insights", reverse("programme_pairs"), icon_name="group", order=50)


@hooks.register("register_admin_viewset")
def register_task_results_viewset():
    return TaskResultViewSet()


@hooks.register("register_admin_viewset")
def register_chat_webhook_viewsets():
    return [ChatWebhookViewSet(), ChatWebhookDeliveryViewSet()]
