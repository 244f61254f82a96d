from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from taggit.models import Tag

        from learning.selectors import finished_page_fact
        from site.page_cache import purge_site_after_commit
        from site.readers import register_reader_fact

        # A topic's name shows on every post and lesson that carries it.
        post_save.connect(purge_site_after_commit, sender=Tag, dispatch_uid="learning.tag_saved")
        post_delete.connect(purge_site_after_commit, sender=Tag, dispatch_uid="learning.tag_deleted")
        register_reader_fact("finished_page", finished_page_fact, default=False, per_page=True)
