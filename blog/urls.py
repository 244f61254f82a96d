from django.urls import include, path

from blog import email_views, views
from blog.threads import urls as thread_urls

urlpatterns = [
    path("pairs/", views.pair_index, name="pair_index"),
    path("pairs/<slug:slug>/", views.pair_detail, name="pair_detail"),
    path("pairs/<slug:slug>/feed/", views.pair_feed, name="pair_feed"),
    path("pairs/<slug:slug>/goals/", views.pair_goal_add, name="pair_goal_add"),
    path("pairs/<slug:slug>/goals/<id:goal_id>/", views.pair_goal_status, name="pair_goal_status"),
    path("pairs/<slug:slug>/check-ins/", views.pair_check_in_add, name="pair_check_in_add"),
    path("people/", views.people_index, name="people_index"),
    path("people/<str:username>/", views.person_detail, name="person_detail"),
    path("people/<str:username>/avatar/", views.person_avatar, name="person_avatar"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("pages/<id:page_id>/react/", views.page_react, name="page_react"),
    path("me/notifications/settings/", email_views.notification_settings, name="notification_settings"),
    path("email/unsubscribe/<str:token>/", email_views.email_unsubscribe_view, name="email_unsubscribe"),
    path("", include(thread_urls)),
]
