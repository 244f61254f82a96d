"""Local development and the demo that ``make run`` serves.

Everything works with no environment at all: a throwaway secret key, SQLite,
and static files served straight from the source folders.
"""

from .base import *  # noqa: F403
from .base import EMAIL_URL, SECRET_KEY

if not SECRET_KEY:
    # Only for a machine's own demo; production.py refuses to start without one.
    SECRET_KEY = "django-insecure-pairwise-local-development-only"  # noqa: S105

# Serve static files from the source folders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing is collected in development
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SERVE_MEDIA = True
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
if not EMAIL_URL:
    # E-mails are printed where the site and its worker run (set EMAIL_URL to send them).
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
