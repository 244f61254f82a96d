from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog and mentor pairs"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wagtail.search import index
        from wagtail.signals import page_published

        from blog.models import MentorPair
        from blog.threads.selectors import unread_notifications_fact
        from blog.threads.sockets import connect_access_receivers
        from site.page_cache import purge_site_after_commit
        from site.readers import register_reader_fact

        # A pair's names show on its posts and in every listing.
        post_save.connect(purge_site_after_commit, sender=MentorPair, dispatch_uid="blog.pair_saved")
        post_delete.connect(purge_site_after_commit, sender=MentorPair, dispatch_uid="blog.pair_deleted")
        connect_access_receivers()
        register_reader_fact("unread_notifications", unread_notifications_fact, default=0)

        def reindex_with_tags(sender, instance, **kwargs):
            # Wagtail indexes a page in post_save, before modelcluster has
            # written its tags; index it again once the publish is complete,
            # so a post is found by its topics straight away.
            index.insert_or_update_object(instance)

        page_published.connect(reindex_with_tags, dispatch_uid="blog.reindex_with_tags", weak=False)
