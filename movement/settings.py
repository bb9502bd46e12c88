"""Settings for the activity history service, read from environment variables.

Production needs ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``. With ``DEBUG=1`` and
no ``DATABASE_URL`` the service runs on a SQLite file in the project folder, so one command
starts it on any machine.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, or set DEBUG=1 for development."
        )
    SECRET_KEY = "development-only-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "movement",
    "supporters",
    "activities",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "movement.middleware.ContentSecurityPolicyMiddleware",
    "movement.middleware.AdminTimeZoneMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "movement.urls"
WSGI_APPLICATION = "movement.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "movement.context_processors.organisation",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user@host:port/name) or a SQLite file.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers wait for each other
    # (up to the timeout, in seconds) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side parameter binding made ingestion about a fifth faster in the benchmark. Turn it
    # off behind PgBouncer older than 1.21, which cannot pool the statements psycopg prepares.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
        "PG_SERVER_SIDE_BINDING", default=True
    )
    # PostgreSQL's default random_page_cost of 4 models spinning disks. With it the planner scans
    # the whole activity table for "everyone linked to entity X" instead of using the link index
    # (595 ms against 24 ms at a million activities, see docs/benchmarks.md), so sessions use 1.1,
    # which suits SSDs. An empty PG_RANDOM_PAGE_COST keeps the server's own setting, for example
    # behind a pooler that rejects connection options.
    random_page_cost = env.str("PG_RANDOM_PAGE_COST", default="1.1")
    if random_page_cost:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c random_page_cost={float(random_page_cost)}"
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "supporter-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# The time zone staff pages show times in; the API always speaks UTC.
ORGANISATION_TIME_ZONE = env.str("ORGANISATION_TIME_ZONE", default="Australia/Sydney")
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Movement")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Sessions end after eight idle hours and when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# HTTPS hardening for production; `manage.py check --deploy` checks each of these.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Login throttling: five failures for one username from one address lock it for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login page with a plain message, status 429; the failures are logged and audited.
AXES_LOCKOUT_CALLABLE = "movement.signals.lockout_response"
AXES_USERNAME_CALLABLE = "movement.signals.axes_username"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["movement.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["movement.auth.HasTokenScope"],
    "DEFAULT_PARSER_CLASSES": ["movement.api.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "movement.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Movement activity history API",
    "DESCRIPTION": (
        "Push supporter activity in with `POST /api/activity` (compatible with Movement's "
        "documented API) and read supporters, activities and entities back. Authenticate with "
        "`Authorization: Bearer <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two serializers have a "result" field with different choices; name each set.
    "ENUM_NAME_OVERRIDES": {
        "IngestResultEnum": ["created", "updated", "unchanged"],
        "SupporterResultEnum": ["created", "updated", "unchanged", "rejected"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "movement.api.document_problem_responses",
    ],
}

# Ingestion limits. Each one is checked before anything is written, and the error names it.
MOVEMENT_LIMITS = {
    "MAX_ACTIVITIES_PER_REQUEST": env.int("MAX_ACTIVITIES_PER_REQUEST", default=1000),
    "MAX_ENTITIES_PER_ACTIVITY": env.int("MAX_ENTITIES_PER_ACTIVITY", default=50),
    "MAX_RECORDS_PER_BULK_REQUEST": env.int("MAX_RECORDS_PER_BULK_REQUEST", default=1000),
    "MAX_SUPPORTERS_PER_UPSERT": env.int("MAX_SUPPORTERS_PER_UPSERT", default=1000),
    "MAX_ID_LENGTH": 255,
    "MAX_SHORT_TEXT_LENGTH": 255,
    "MAX_BODY_LENGTH": env.int("MAX_BODY_LENGTH", default=100_000),
    "MAX_METADATA_BYTES": env.int("MAX_METADATA_BYTES", default=32 * 1024),
    "MAX_METADATA_DEPTH": env.int("MAX_METADATA_DEPTH", default=20),
    "MAX_URL_LENGTH": 2048,
    "MAX_REQUEST_BYTES": env.int("MAX_REQUEST_BYTES", default=10 * 1024 * 1024),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = MOVEMENT_LIMITS["MAX_REQUEST_BYTES"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
