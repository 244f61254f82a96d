from django.urls import path

from blog.threads import views

urlpatterns = [
    path("api/threads/<id:page_id>/comments/", views.thread_comments_api, name="thread_comments_api"),
    path(
        "api/threads/<id:page_id>/comments/<id:comment_id>/",
        views.thread_comment_api,
        name="thread_comment_api",
    ),
    path(
        "api/threads/<id:page_id>/comments/<id:comment_id>/flags/",
        views.thread_flag_api,
        name="thread_flag_api",
    ),
    path("api/threads/<id:page_id>/answers/", views.thread_answer_api, name="thread_answer_api"),
    path("me/notifications/", views.notification_index, name="notification_index"),
    path("me/notifications/read/", views.notifications_read, name="notifications_read"),
]
