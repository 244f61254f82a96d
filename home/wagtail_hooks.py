"""Wagtail hooks of the site as a whole."""

from wagtail import hooks

from site.page_cache import remember_served_page

# After Wagtail's own view-restriction check (order 0), so only a page the
# request may see is ever noted for the anonymous page cache.
hooks.register("on_serve_page", remember_served_page, order=10)
