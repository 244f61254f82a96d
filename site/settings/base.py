"""Settings shared by every environment.

This is the one place that reads the environment. With nothing set the site
runs on a SQLite file in the project and the in-memory channel layer; set
``DATABASE_URL`` and ``REDIS_URL`` to run any number of processes against one
PostgreSQL database and one Redis. ``dev``, ``test`` and ``production`` only
adjust what is decided here.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

import dj_database_url
import dj_email_url

SITE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SITE_DIR.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number") from error


# --- Environment -----------------------------------------------------------

DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
REDIS_URL = os.environ.get("REDIS_URL", "")
DATABASE_POOL_SIZE = _env_int("DATABASE_POOL_SIZE", 8)
# Every key and channel this site keeps in Redis starts with it, so that
# several sites (say staging and production) can share one Redis.
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "pairwise")
# The public address: absolute links in feeds, e-mails and the admin's own e-mails.
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = BASE_URL
# Absolute addresses in Wagtail's API v2 (home.api) start here too.
WAGTAILAPI_BASE_URL = BASE_URL
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Live threads: how many comments one user may post in the window.
COMMENT_RATE_LIMIT = _env_int("COMMENT_RATE_LIMIT", 5)
COMMENT_RATE_WINDOW = _env_int("COMMENT_RATE_WINDOW", 10)
# Flags: distinct readers whose open flags hide a comment pending review, and
# how many comments one person may flag in the window (seconds).
COMMENT_FLAG_THRESHOLD = _env_int("COMMENT_FLAG_THRESHOLD", 3)
COMMENT_FLAG_RATE_LIMIT = _env_int("COMMENT_FLAG_RATE_LIMIT", 10)
COMMENT_FLAG_RATE_WINDOW = _env_int("COMMENT_FLAG_RATE_WINDOW", 3600)
# Production hardening switches (see docs/operations.md).
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
# Serve uploaded media from the app itself (an intranet with no web server in front).
SERVE_MEDIA = _env_bool("SERVE_MEDIA", False)
# Origins whose players an embed block may frame (e.g. https://www.youtube-nocookie.com).
EMBED_ORIGINS = _env_list("EMBED_ORIGINS", "")
# Background tasks (docs/operations.md "Tasks and workers"): "db" keeps the
# queue in the database (SQLite or PostgreSQL), "rq" in Redis (REDIS_URL);
# "immediate" runs each task as it is enqueued, in the process that asked.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "db")
# A failing task is tried this many times in all, waiting TASK_RETRY_BACKOFF
# seconds before the second try and twice as long before each one after.
TASK_RETRY_ATTEMPTS = _env_int("TASK_RETRY_ATTEMPTS", 3)
TASK_RETRY_BACKOFF = _env_int("TASK_RETRY_BACKOFF", 60)

# E-mail: one URL (dj-email-url), e.g. smtp://user:password@mail.example.com:587?tls=true
# or console: (printed) or file:///var/mail/pairwise (one file per message). Unset:
# the SMTP server on localhost:25 (``dev`` prints to the console instead).
EMAIL_URL = os.environ.get("EMAIL_URL", "")
_email = dj_email_url.parse(EMAIL_URL or "smtp://localhost:25")
if "EMAIL_BACKEND" not in _email:
    raise ImproperlyConfigured(f"EMAIL_URL must start with one of {', '.join(dj_email_url.SCHEMES)}:")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 10
if _email["EMAIL_FILE_PATH"]:
    EMAIL_FILE_PATH = "/" + _email["EMAIL_FILE_PATH"]  # file:///var/mail: an absolute folder
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pairwise <pairwise@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# A notification is e-mailed only when its person has not seen it on the site
# for this many seconds; what else they are told meanwhile joins the same message.
EMAIL_NOTIFICATION_DELAY = _env_int("EMAIL_NOTIFICATION_DELAY", 600)
if EMAIL_NOTIFICATION_DELAY < 1:
    # It is also the length of one message's window of notifications, which cannot be empty.
    raise ImproperlyConfigured("EMAIL_NOTIFICATION_DELAY must be at least 1 (seconds)")

# --- Applications ----------------------------------------------------------

INSTALLED_APPS = [
    # The ground every app stands on (site/apps.py): its signal receivers.
    "site.apps.SiteConfig",
    "home",
    "blog",
    "learning",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.api.v2",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "daphne",
    "channels",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Anonymous page views from the cache: after the headers every response
    # gets, before anything that reads the session (site/page_cache.py).
    "site.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "site.urls"
ASGI_APPLICATION = "site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------

# Under ASGI every HTTP request runs its synchronous code in a thread of its
# own, so Django's persistent connections (CONN_MAX_AGE) would leave one
# connection behind per request. Connections are closed after each request or
# consumer trip instead; on PostgreSQL they come from a pool, bounded per
# process, and checked before use so a database restart costs one error, not
# a stream of "connection already closed".
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # With a pool, CONN_HEALTH_CHECKS makes the pool check each connection it lends.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        # How long a request waits for a connection: short, so that while the
        # database is down people hear "unavailable" soon rather than late.
        "timeout": 3,
        # Give up a reconnection after 5 s (psycopg_pool's backoff doubles
        # without bound): the next request then connects at once, instead of
        # waiting out a long backoff after the database is back.
        "reconnect_timeout": 5,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while a comment is being written; the busy
    # timeout makes a second writer wait instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
# Threads per process for the live threads' read-only trips (a socket's
# handshake, history, access re-checks), beside the one that writes
# (blog.threads.trips). Each holds a pooled connection while busy, so keep it
# below DATABASE_POOL_SIZE: at most the pool less two (the writing thread's
# and one for a page), whatever is asked. On SQLite reads stay on the writing
# thread.
_on_postgres = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
_read_threads = _env_int("DATABASE_READ_THREADS", min(4, DATABASE_POOL_SIZE // 2) if _on_postgres else 0)
DATABASE_READ_THREADS = max(0, min(_read_threads, DATABASE_POOL_SIZE - 2))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# channels-redis's pub/sub layer, extended so that clients resync after a Redis
# outage (site.layers). It publishes a group message once and fans it out
# inside each process; the core layer, which keeps a copy per reader in Redis,
# had twice its p99 here and three to four times bare Channels' (bench/README.md).
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "site.layers.RecoveringRedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{REDIS_KEY_PREFIX}:asgi"},
        }
    }
    # django-redis, because it can treat an unreachable Redis as a cache miss
    # (logged): pages, sessions and comments keep working through an outage.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    # Not a traceback per cache call: the channel layer logs the outage once.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "site.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks --------------------------------------------------------

# Django's tasks API (the django-tasks backport). Every backend is a subclass
# in site/tasks.py: failed tasks are retried there, and Wagtail's own tasks
# (search and reference index updates, file clean-up) run at once, as they do
# without a worker, through the "immediate" alias. Workers: manage.py run_worker.
_TASK_BACKENDS = {
    "db": "site.tasks.DatabaseBackend",
    "rq": "site.tasks.RQBackend",
    "immediate": "site.tasks.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be db, rq or immediate, not {TASKS_BACKEND!r}")
if TASKS_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL")
TASKS = {
    "default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]},
    "immediate": {"BACKEND": _TASK_BACKENDS["immediate"]},
}
# RQ's keys cannot carry REDIS_KEY_PREFIX: give each site its own Redis database.
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

# --- Authentication --------------------------------------------------------

# Sessions are read from the cache (Redis when scaled) and kept in the
# database: a page view or a socket handshake costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Django's model backend, with the editor flag read in the same query as the person.
AUTHENTICATION_BACKENDS = ["site.people.PeopleBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files --------------------------------------------------

# site/static is found as the static folder of the project app (site/apps.py).
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Wagtail ---------------------------------------------------------------

WAGTAIL_SITE_NAME = "Pairwise"
# No avatars from Gravatar: an intranet cannot reach it, and every admin page
# would tell an outside service who is looking. The admin shows a person's
# profile photo (blog's ``get_avatar_url`` hook) or Wagtail's own default.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the dashboard ask wagtail.org for new releases: upgrades are an operator's job.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
TAGGIT_CASE_INSENSITIVE = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Security headers ----------------------------------------------------

# The public site runs no inline script or style: everything is a file under
# /static/. The Wagtail admin ships its own inline code, so it is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        "frame-src": ["'self'", *EMBED_ORIGINS],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Logging ---------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"outage_without_traceback": {"()": "site.layers.OutageWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["outage_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "blog": {"level": "INFO"},
        "learning": {"level": "INFO"},
        "site": {"level": "INFO"},
        # A task that fails is logged with its traceback; one that succeeds is not.
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "INFO"},
    },
}
