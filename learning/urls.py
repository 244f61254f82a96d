from django.urls import path

from learning import promotion_views, request_views, views

urlpatterns = [
    path("topics/", views.topic_index, name="topic_index"),
    path("api/topics/", views.topic_suggest, name="topic_suggest"),
    path("topics/<str:slug>/", views.topic_detail, name="topic_detail"),
    path("topics/<str:slug>/feed/", views.topic_feed, name="topic_feed"),
    path("topics/<str:slug>/follow/", views.topic_follow, name="topic_follow"),
    path("pairs/<slug:slug>/follow/", views.pair_follow, name="pair_follow"),
    path("questions/", views.question_index, name="question_index"),
    path("me/stream/", views.my_stream, name="my_stream"),
    path("me/read/<id:page_id>/", views.post_mark_read, name="post_mark_read"),
    path("me/done/<id:page_id>/", views.lesson_mark_done, name="lesson_mark_done"),
    path("me/check/<id:page_id>/", views.lesson_check, name="lesson_check"),
    path(
        "conversations/<id:comment_id>/promote/",
        promotion_views.promote_conversation,
        name="lesson_promote",
    ),
    # Requests themselves are Wagtail pages under /requests/; these take their forms.
    path("requests/ask/", request_views.request_ask, name="request_ask"),
    path("requests/<id:page_id>/vote/", request_views.request_vote, name="request_vote"),
    path("requests/<id:page_id>/claim/", request_views.request_claim, name="request_claim"),
    path("requests/<id:page_id>/release/", request_views.request_release, name="request_release"),
    path("requests/<id:page_id>/answer/", request_views.request_answer, name="request_answer"),
    path("requests/<id:page_id>/decline/", request_views.request_decline, name="request_decline"),
]
