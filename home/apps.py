from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"

    def ready(self) -> None:
        from home.page_cache import connect_purge_receivers

        connect_purge_receivers()
