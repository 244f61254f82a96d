"""The project package as a Django app, so the ground's receivers connect once at start-up."""

from pathlib import Path

from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "site"
    # ``site`` is also the standard library's module name (projectsite.py).
    label = "pairwise_site"
    path = str(Path(__file__).resolve().parent)
    verbose_name = "Pairwise"

    def ready(self) -> None:
        from django.urls import register_converter

        from site import page_cache, routes, visibility
        from site.inputs import IdConverter

        register_converter(IdConverter, "id")
        visibility.connect_receivers()
        page_cache.connect_purge_receivers()
        routes.connect_receivers()
