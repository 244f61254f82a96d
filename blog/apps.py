from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog and mentor pairs"

    def ready(self) -> None:
        from wagtail.search import index
        from wagtail.signals import page_published

        def reindex_with_tags(sender, instance, **kwargs):
            # Wagtail indexes a page in post_save, before modelcluster has
            # written its tags; index it again once the publish is complete,
            # so a post is found by its topics straight away.
            index.insert_or_update_object(instance)

        page_published.connect(reindex_with_tags, dispatch_uid="blog.reindex_with_tags", weak=False)
