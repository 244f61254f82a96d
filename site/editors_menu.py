"""An admin menu item only editors see (the pairing board, the programme reports)."""

from wagtail.admin.menu import MenuItem

from site.people import is_editor


class EditorsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return is_editor(request.user)
