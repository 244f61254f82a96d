from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog and mentor pairs"

    def ready(self) -> None:
        # Imported here, not at the top: models may only be imported once
        # Django has loaded every app (its app-loading rules).
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from wagtail.search import index
        from wagtail.signals import page_published

        from blog import tasks
        from blog.models import MentorPair
        from blog.services import profile_ensure
        from blog.threads.selectors import unread_notifications_fact
        from blog.threads.sockets import connect_access_receivers
        from site.page_cache import purge_site_after_commit
        from site.readers import register_reader_fact
        from site.scheduler import register_periodic_job

        # A pair's names show on its posts and in every listing.
        post_save.connect(purge_site_after_commit, sender=MentorPair, dispatch_uid="blog.pair_saved")
        post_delete.connect(purge_site_after_commit, sender=MentorPair, dispatch_uid="blog.pair_deleted")
        connect_access_receivers()
        register_reader_fact("unread_notifications", unread_notifications_fact, default=0)
        # Every minute, the e-mail of whoever has notifications unseen past EMAIL_NOTIFICATION_DELAY.
        register_periodic_job(
            tasks.NOTIFICATION_EMAILS, task=tasks.notification_emails_send_due, cron="* * * * *"
        )

        def reindex_with_tags(sender, instance, **kwargs):
            # Wagtail indexes a page in post_save, before modelcluster has
            # written its tags; index it again once the publish is complete,
            # so a post is found by its topics straight away.
            index.insert_or_update_object(instance)

        page_published.connect(reindex_with_tags, dispatch_uid="blog.reindex_with_tags", weak=False)

        def profile_on_first_sign_in(sender, request, user, **kwargs):
            profile_ensure(user=user)  # everyone who signs in is in the people directory

        user_logged_in.connect(profile_on_first_sign_in, dispatch_uid="blog.profile_on_sign_in", weak=False)
