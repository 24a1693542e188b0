"""Greenroom settings: every value comes from the environment (see README, "Configuration")."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from portal.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GREENROOM_VAR_DIR", str(BASE_DIR / ".var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "greenroom-insecure-development-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    # A development default only when nothing is configured; production sets DJANGO_SECRET_KEY.
    SECRET_KEY = "greenroom-insecure-development-key-change-me"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "guardian",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "catalog",
    "tokens",
    "permissions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "permissions.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Messages live in the session. Django's default (a signed cookie, then the session) built a cookie signer
# on every request, API calls with a token included: about 3% of a by-name request's CPU.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL through DATABASE_URL in production and CI.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'greenroom.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
}
# The API's hottest lookups stay prepared on each connection (catalog/api/prepared.py); off for a pooler
# in transaction mode, which cannot keep a prepared statement on one server connection.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's parallel query starts worker processes for a plan it estimates big enough; that start
    # costs about 5 ms here, more than a whole page of the API (a keyset page took 17 ms instead of 1).
    # Greenroom's queries are short and indexed, and its own processes are the parallelism: off unless
    # DATABASE_PARALLEL_WORKERS says otherwise.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} "
        f"-c max_parallel_workers_per_gather={env_int('DATABASE_PARALLEL_WORKERS', 0, minimum=0)}"
    ).strip()
    if DATABASE_PREPARED_STATEMENTS:
        # Django turns psycopg's prepared statements off unless this is set. Its own cursors bind on the
        # client and never prepare; only catalog.api.prepared's cursors do, at once (prepare=True).
        _options["prepare_threshold"] = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers up front instead of failing half-way with "database is locked".
    # WAL lets pages read while a worker writes; NORMAL sync is durable at checkpoints and much faster.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that the worker processes of the end-to-end tests share the test database.
    # One file per test run, so that runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "AnonymousUser" row: anonymous callers are refused before any grant is looked at.
ANONYMOUS_USER_NAME = None
# Rules loaded by `manage.py load_policy` (YAML list of rules, see permissions/policy_file.py).
PERMISSIONS_POLICY_FILE = env_str("PERMISSIONS_POLICY_FILE", "")
# How a signed-in user is linked to its catalog User entity: "email", "name", in the order tried.
IDENTITY_RESOLVERS = env_list("IDENTITY_RESOLVERS", ["email", "name"])
# Whether the groups above a user's groups count as its owners too (Backstage resolvers may add them).
IDENTITY_INCLUDE_PARENT_GROUPS = env_bool("IDENTITY_INCLUDE_PARENT_GROUPS", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
# The portal serves its own assets (closed networks, no CDN); finders spare a collectstatic step locally.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
LOGIN_URL = "/accounts/login/"

REST_FRAMEWORK = {
    # Bearer first: its WWW-Authenticate header makes DRF answer 401 (not 403) without credentials.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tokens.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# OpenAPI at /api/schema/ and Swagger UI at /api/docs/, its assets served locally (no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": "Greenroom catalog API",
    "DESCRIPTION": "Backstage's software catalog API (/api/catalog), served by Greenroom.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Cache: per process by default; REDIS_CACHE_URL shares it between web and worker processes, so that a
# change of permissions is seen everywhere at once instead of within PERMISSIONS_CACHE_SECONDS.
REDIS_CACHE_URL = env_str("REDIS_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL}
        if REDIS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "greenroom"}
    )
}
PERMISSIONS_CACHE_SECONDS = env_int("PERMISSIONS_CACHE_SECONDS", 30, minimum=0)
# Facet counts and totalItems are kept until the catalog or the permissions change (0 turns this off).
CATALOG_RESULT_CACHE_SECONDS = env_int("CATALOG_RESULT_CACHE_SECONDS", 300, minimum=0)

# --- Celery: Redis in production; by default a broker on the local file system that needs no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Catalog (mirrors Backstage's catalog.* configuration keys).
# Seconds between scheduled refreshes of one location: a random value in [min, max] spreads the load.
CATALOG_REFRESH_INTERVAL_MIN = env_int("CATALOG_REFRESH_INTERVAL_MIN", 100, minimum=1)
CATALOG_REFRESH_INTERVAL_MAX = max(
    CATALOG_REFRESH_INTERVAL_MIN, env_int("CATALOG_REFRESH_INTERVAL_MAX", 150, minimum=1)
)
# How often the scheduler looks for due locations, and how many it fans out per look.
CATALOG_SCHEDULER_POLL_SECONDS = env_int("CATALOG_SCHEDULER_POLL_SECONDS", 5, minimum=1)
CATALOG_SCHEDULER_BATCH = env_int("CATALOG_SCHEDULER_BATCH", 50, minimum=1)
# keep: orphans stay until deleted; delete: a periodic task removes them (Backstage's default).
CATALOG_ORPHAN_STRATEGY = env_choice("CATALOG_ORPHAN_STRATEGY", "delete", {"keep", "delete"})
CATALOG_ORPHAN_CLEANUP_SECONDS = env_int("CATALOG_ORPHAN_CLEANUP_SECONDS", 30, minimum=1)
# Kinds a location may emit unless the location sets its own list (Backstage's catalog.rules).
CATALOG_ALLOWED_KINDS = env_list(
    "CATALOG_ALLOWED_KINDS",
    [
        "Component",
        "API",
        "Resource",
        "System",
        "Domain",
        "Group",
        "User",
        "Location",
        "Template",
        "AiResource",
    ],
)
# Location types that may be registered through the API (Backstage: url only).
CATALOG_LOCATION_TYPES = env_list("CATALOG_LOCATION_TYPES", ["url"])
# Hosts that url locations and $text placeholders may be fetched from; "*.example.com" covers subdomains.
CATALOG_ALLOWED_HOSTS = env_list(
    "CATALOG_ALLOWED_HOSTS", ["github.com", "raw.githubusercontent.com", "gitlab.com"]
)
# When set, file locations may only read below these directories.
CATALOG_FILE_ROOTS = env_list("CATALOG_FILE_ROOTS", [])
# GitHub hosts whose /blob/ URLs are read from a raw-content base: "host=base,host=base".
CATALOG_GITHUB_RAW_URLS = dict(
    item.split("=", 1)
    for item in env_list("CATALOG_GITHUB_RAW_URLS", ["github.com=https://raw.githubusercontent.com"])
    if "=" in item
)
CATALOG_FETCH_TIMEOUT = env_int("CATALOG_FETCH_TIMEOUT", 15, minimum=1)
CATALOG_FETCH_MAX_BYTES = env_int("CATALOG_FETCH_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)

# --- Single sign-on with OpenID Connect (mozilla-django-oidc, see permissions/oidc.py). On only when
# OIDC_RP_CLIENT_ID is set; otherwise local Django accounts only.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
# The provider's /.well-known/openid-configuration, read on first use: it fills every endpoint left empty.
OIDC_OP_DISCOVERY_URL = env_str("OIDC_OP_DISCOVERY_URL", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
# ID tokens must name this issuer (when known) and the client id as audience.
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
# An email the provider marks email_verified=false could match someone else's account; refused unless true.
OIDC_ALLOW_UNVERIFIED_EMAIL = env_bool("OIDC_ALLOW_UNVERIFIED_EMAIL", False)
OIDC_AUTHENTICATE_CLASS = "permissions.oidc.AuthenticationRequestView"
OIDC_CALLBACK_CLASS = "permissions.oidc.AuthenticationCallbackView"
if OIDC_RP_CLIENT_ID:
    from django.core.exceptions import ImproperlyConfigured

    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_RP_CLIENT_ID is set but OIDC_RP_CLIENT_SECRET (or _FILE) is not")
    if not OIDC_OP_DISCOVERY_URL and not (
        OIDC_OP_AUTHORIZATION_ENDPOINT
        and OIDC_OP_TOKEN_ENDPOINT
        and OIDC_OP_USER_ENDPOINT
        and OIDC_OP_JWKS_ENDPOINT
    ):
        raise ImproperlyConfigured(
            "OIDC needs OIDC_OP_DISCOVERY_URL, or all four OIDC_OP_*_ENDPOINT settings"
        )
    AUTHENTICATION_BACKENDS.append("permissions.oidc.OIDCBackend")
