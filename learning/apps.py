from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from django.urls import reverse

        from wagtail.signals import page_published

        from taggit.models import Tag

        from blog.models import BlogPostPage
        from blog.threads.actions import register_conversation_action
        from learning.models import LessonPage
        from learning.promotions import lesson_promotion_published
        from learning.request_admin import attach_request_chooser
        from learning.request_services import request_answers_published
        from learning.selectors import finished_page_fact
        from site.page_cache import purge_site_after_commit
        from site.readers import register_reader_fact

        # A topic's name shows on every post and lesson that carries it.
        post_save.connect(purge_site_after_commit, sender=Tag, dispatch_uid="learning.tag_saved")
        post_delete.connect(purge_site_after_commit, sender=Tag, dispatch_uid="learning.tag_deleted")
        register_reader_fact("finished_page", finished_page_fact, default=False, per_page=True)
        # Posts and lessons choose the request they answer in their admin form
        # (blog cannot know requests); one is answered when its page is published,
        # however that happens (the admin, a workflow's approval, a schedule).
        for model in (BlogPostPage, LessonPage):
            attach_request_chooser(model)

        def answer_requests(sender, instance, **kwargs):
            request_answers_published(page=instance)

        page_published.connect(answer_requests, dispatch_uid="learning.requests_answered", weak=False)

        # A lesson promoted from a conversation tells the people it quotes when
        # published, however that happens; hosts and editors are offered the form.
        def promotion_published(sender, instance, **kwargs):
            if isinstance(instance, LessonPage):
                lesson_promotion_published(lesson=instance)

        page_published.connect(promotion_published, dispatch_uid="learning.promotion_published", weak=False)
        register_conversation_action(
            label="Promote to a lesson", url=lambda comment_id: reverse("lesson_promote", args=[comment_id])
        )
