"""Settings for planpromo, read from the environment.

DATABASE_URL          unset: an SQLite file under var/ (the embedded default); postgres://...: PostgreSQL
DJANGO_SECRET_KEY     required when DJANGO_DEBUG is off
DJANGO_DEBUG          1/true/yes to turn debug on (default: on, for the embedded default)
DJANGO_ALLOWED_HOSTS  comma-separated host names
DATABASE_REPLICA_URL  postgres://... of a streaming replica: GET requests read it (planpromo.routers)
DJANGO_REPLICA_PIN_SECONDS  how long a client that wrote reads the primary (default 10)
DJANGO_THROTTLE_USER  API requests a signed-in user may make (default 5000/hour; empty: no limit)
DJANGO_THROTTLE_ANON  API requests an anonymous address may make (default 100/hour; empty: no limit)
DJANGO_CSRF_TRUSTED_ORIGINS  comma-separated origins (https://planpromo.example.org) for forms posted via a proxy
DJANGO_SECURE_SSL_REDIRECT  redirect http to https (default: on when debug is off)
DJANGO_SECURE_PROXY_SSL_HEADER  "HTTP_X_FORWARDED_PROTO,https" when a proxy terminates TLS and sets that header
DJANGO_SECURE_HSTS_SECONDS  Strict-Transport-Security max-age (default: one year when debug is off)
DJANGO_TRUSTED_PROXY_COUNT  proxies in front of the app that append to X-Forwarded-For (default 0: REMOTE_ADDR)
DJANGO_SESSION_COOKIE_AGE  seconds a sign-in lasts (default 8 hours)
DJANGO_LOG_FORMAT     json or text (default: json when debug is off)
CACHE_URL             the shared cache of every worker (throttle counts, sign-in limits, anything that must hold
                      across processes): unset or db://<table>: the database (table created by `migrate`);
                      redis://host:port/db: Redis (Django's own backend; `pip install redis`); locmem://: per process
DJANGO_THROTTLE_SIGN_IN  failed sign-ins one address may make, across user names (default 30/hour)
DJANGO_API_TOKEN_DAYS    lifetime of a new API token in days (default 90; 0: tokens live until revoked)
DJANGO_API_TOKEN_LIMIT   live API tokens a user may hold (default 10)
DJANGO_THROTTLE_SUMMARY_RENDER  renderings of the annual summary PDF one user may cause (default 10/hour)
DJANGO_TASKS_BACKEND     background tasks: "database" (default; run `manage.py db_worker`) or "immediate" (in the
                         request, for tests and one-off scripts)
EMAIL_URL             where notification e-mail goes, as a URL (dj-email-url): smtp://user:password@host:587/?tls=True,
                      submission://..., console:// (the default while debugging), file:///path/to/dir; unset: console://
                      while debugging (messages on stdout), smtp://localhost:25 in production
DJANGO_DEFAULT_FROM_EMAIL  the sender of notification e-mail (default planpromo@localhost)
PLANPROMO_SITE_URL    the site's address, for the links in e-mail (default http://localhost:8000)
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PLANPROMO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


CACHE_TABLE = "planpromo_cache"
CACHE_MAX_ENTRIES = 50_000


def cache_from_url(url: str) -> dict:
    """A CACHES entry from a URL: empty or db://<table> is the database cache (its table, CACHE_TABLE by default,
    is created by `migrate`: planpromo.apps), redis:// or rediss:// Django's Redis backend, locmem:// a cache
    of the process alone (development, tests)."""
    parts = urlsplit(url or "db://")
    if parts.scheme == "db":
        # Django culls a third of the table once it holds MAX_ENTRIES (300 by default), rate-limit counts included;
        # the API's cached bodies (planpromo.api.conditional) alone pass 300 in a day.
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": parts.netloc or CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": CACHE_MAX_ENTRIES},
        }
    if parts.scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": parts.netloc or "planpromo"}
    raise ImproperlyConfigured(f"CACHE_URL: unknown scheme {parts.scheme!r} (db://, redis://, rediss://, locmem://)")


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-planpromo"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

DJANGO_APPS = [
    # Before the admin, as django-modeltranslation asks: the plan in English and Chinese (programs/translation.py).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "django_htmx",
    "rest_framework",
    "django_filters",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as static files: the docs load nothing from a CDN
    "axes",
    "simple_history",
    "django_tasks_db",
]
LOCAL_APPS = [
    "planpromo",
    "participants",
    "programs",
    "tracking",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the body (the CSRF check reads a form): a body larger than any legitimate request is
    # refused unread, so it is never spooled to disk.
    "planpromo.middleware.RequestSizeLimitMiddleware",
    # An address with too many failed sign-ins (any user names) gets 429 on the sign-in pages and the token endpoint.
    "planpromo.signin.SignInLimitMiddleware",
    "planpromo.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "planpromo.middleware.ApiLanguageMiddleware",  # `?lang=` on the API, over Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Every page requires sign-in unless its view is marked login_not_required (DRF views and the admin are).
    "planpromo.views.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lock-out flagged during sign-in into the lock-out response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "planpromo.urls"
WSGI_APPLICATION = "planpromo.wsgi.application"
ASGI_APPLICATION = "planpromo.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracking.context_processors.navigation",
                "tracking.context_processors.notifications",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'planpromo.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default lives in var/, which a fresh clone does not have yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the dev server read while a command writes; the timeout waits for a lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
# A PostgreSQL streaming replica for reads (planpromo.routers): GET requests read it, writes and the requests of a
# client that wrote in the last REPLICA_PIN_SECONDS read the primary. Migrations run on the primary only.
if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url,
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["planpromo.routers.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "planpromo.routers.ReplicaPinMiddleware"
    )
REPLICA_PIN_SECONDS = int(os.environ.get("DJANGO_REPLICA_PIN_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Shared cache and background tasks ----------------------------------------------------------------------------
# One cache that every gunicorn worker (and the task worker) shares: rate limits count here, so they hold across
# workers and restarts. The database by default, which needs no other service.
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", ""))}

# Django's tasks framework (django.tasks): work done outside the request, such as rendering the annual summary PDF.
# In production the tasks wait in the database (django-tasks-db) for `manage.py db_worker`, which `make run` and
# `make serve` start beside the web server; "immediate" runs them in the caller (the tests).
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "database")
# Renderings of the annual summary PDF one user may cause (tracking.summary_pdf); serving one costs nothing.
SUMMARY_RENDERS_PER_USER = os.environ.get("DJANGO_THROTTLE_SUMMARY_RENDER", "10/hour") or None
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND]
    }
}


# --- E-mail -------------------------------------------------------------------------------------------------------
# Notification e-mail (tracking.notifications), configured by one URL as the database is. While debugging, the
# console backend prints the messages; in production EMAIL_URL says where they go.
def mailer_from_url(url: str) -> dict:
    """A MAILERS entry (Django 6.1) from a URL parsed by dj-email-url: smtp:// and submission:// (host, port,
    user, password, ?tls=True/?ssl=True, ?timeout=), console://, file:///path/to/dir, memory://."""
    parsed = dj_email_url.parse(url)
    backend = parsed["EMAIL_BACKEND"]
    if backend.endswith("filebased.EmailBackend"):
        # dj-email-url drops the leading slash of file:///abs/path: the URL's path is the directory.
        return {"BACKEND": backend, "OPTIONS": {"file_path": urlsplit(url).path or str(VAR_DIR / "mail")}}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": parsed["EMAIL_HOST"],
            "port": parsed["EMAIL_PORT"],
            "username": parsed["EMAIL_HOST_USER"],
            "password": parsed["EMAIL_HOST_PASSWORD"],
            "use_tls": parsed["EMAIL_USE_TLS"],
            "use_ssl": parsed["EMAIL_USE_SSL"],
            "timeout": parsed["EMAIL_TIMEOUT"],
        }
        return {"BACKEND": backend, "OPTIONS": {key: value for key, value in options.items() if value is not None}}
    return {"BACKEND": backend}


# Unset: the console while debugging; in production the local mail server (Django's own default, smtp://localhost:25).
MAILERS = {
    "default": mailer_from_url(os.environ.get("EMAIL_URL") or ("console://" if DEBUG else "smtp://localhost:25"))
}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "planpromo@localhost")
SITE_URL = os.environ.get("PLANPROMO_SITE_URL", "http://localhost:8000")

# --- Auth ---------------------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user+address is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Who has a role (the pages' rule and the API's: tracking.permissions decides).
ROLE_CHECK = "tracking.permissions.has_role"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Validates nothing: Django calls its password_changed() whenever a password is saved (the page, the admin,
    # `changepassword`), which revokes the user's API tokens.
    {"NAME": "participants.services.RevokeTokensOnPasswordChange"},
]

# A sign-in lasts a working day and ends with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: 5 failed sign-ins for one user name from one address lock that pair out for 15 minutes. Locking
# the pair (not the user alone) keeps an attacker elsewhere from locking a province's reporter out of the system.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "planpromo.middleware.lockout_response"
AXES_CLIENT_IP_CALLABLE = "planpromo.audit.client_address"
AXES_VERBOSE = False  # planpromo.audit records sign-ins, failures and lock-outs itself
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))

# --- Security -----------------------------------------------------------------------------------------------------
# Off in debug so that `make run` serves plain http on localhost; on in production, where `check --deploy` is clean.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# The orchestrator's probes reach the process directly over http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if proxy_header := env_list("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = tuple(proxy_header)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Everything comes from this origin: no CDN, no inline script, no inline style. The admin runs under it as it is.
CONTENT_SECURITY_POLICY = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# In debug the policy only reports (in the browser console), so Django's debug pages with their inline styles
# still show; production enforces it.
if DEBUG:
    SECURE_CSP_REPORT_ONLY = CONTENT_SECURITY_POLICY
else:
    SECURE_CSP = CONTENT_SECURITY_POLICY

# --- I18n ---------------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# The plan's content (programs/translation.py) has a column per language; a text not yet translated shows in English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_ROOT = Path(os.environ.get("PLANPROMO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Evidence attachments ----------------------------------------------------------------------------------------
ATTACHMENT_MAX_BYTES = int(os.environ.get("PLANPROMO_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# Types detected from the file's content (not its name): PDF, office documents, images.
ATTACHMENT_CONTENT_TYPES = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Each uploaded file is read up to ATTACHMENT_MAX_BYTES, then the upload stops (planpromo.uploads).
FILE_UPLOAD_HANDLERS = [
    "planpromo.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# The largest body a client may send (planpromo.middleware.RequestSizeLimitMiddleware answers 413 above it): an
# attachment at its limit, plus the form's other fields and the multipart framing. The proxy's
# client_max_body_size should match (README, "Behind a proxy").
REQUEST_MAX_BYTES = ATTACHMENT_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE

# --- REST framework -----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "participants.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tracking.api.permissions.HasRole"],
    # JSON nested too deeply for Python's parser is a 400 (planpromo.api.parsers), not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "planpromo.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        # First: a query parameter the view does not take is a 400, before any filter reads the others.
        "planpromo.api.filters.QueryParametersFilter",
        "django_filters.rest_framework.DjangoFilterBackend",
        "planpromo.api.filters.OrderingFilter",
    ],
    # Every endpoint also answers ?format=csv and ?format=xlsx; a list as a file is every matching row, streamed.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "planpromo.api.renderers.CSVRenderer",
        "planpromo.api.renderers.XLSXRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "planpromo.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "planpromo.api.throttling.AnonRateThrottle",
        "planpromo.api.throttling.UserRateThrottle",
    ],
    # An analyst's script paging through every report stays well under the user rate; an empty value turns a
    # limit off. The counts live in the shared cache (CACHE_URL), so every worker counts together; clients are
    # told apart as the audit log does (DJANGO_TRUSTED_PROXY_COUNT), never by a header they could forge.
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("DJANGO_THROTTLE_USER", "5000/hour") or None,
        "anon": os.environ.get("DJANGO_THROTTLE_ANON", "100/hour") or None,
    },
    "DEFAULT_PAGINATION_CLASS": "planpromo.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "planpromo.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
KNOX_TOKEN_MODEL = "participants.ApiToken"
# knox's own migrations create its default token table even when the model is swapped for ours; that orphan table
# would reference auth_user and block truncating it. Our ApiToken has its own migration.
MIGRATION_MODULES = {"knox": None}
# Failed sign-ins from one address, whatever the user names (password spraying): over the rate, the sign-in
# pages and the token endpoint answer 429 (planpromo.signin). django-axes locks one user name at one address.
SIGN_IN_FAILURES_PER_ADDRESS = os.environ.get("DJANGO_THROTTLE_SIGN_IN", "30/hour") or None

# API tokens: a new token lives API_TOKEN_TTL unless its owner chooses a shorter life (None: until revoked), and a
# user holds at most API_TOKEN_LIMIT_PER_USER live tokens. A password change or deactivation revokes them all.
API_TOKEN_TTL = timedelta(days=int(os.environ.get("DJANGO_API_TOKEN_DAYS", "90") or 0)) or None
API_TOKEN_LIMIT_PER_USER = int(os.environ.get("DJANGO_API_TOKEN_LIMIT", "10"))
REST_KNOX = {
    "TOKEN_TTL": API_TOKEN_TTL,
    "TOKEN_LIMIT_PER_USER": API_TOKEN_LIMIT_PER_USER,
    "AUTH_HEADER_PREFIX": "Token",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "planpromo API",
    "DESCRIPTION": (
        "The implementation of SIPO's Promotional Plans for the National Patent Development Strategy: the plan "
        "structure (programs, work items, targets, participating offices and departments) and the progress "
        "reports on it.\n\n"
        "Authenticate with a personal token in the header `Authorization: Token <key>`. Lists are paged "
        "(`page`, `page_size` up to 500), filtered by the parameters listed for each, ordered with `ordering=` "
        "and searched with `search=` where offered. Every list also answers `?format=csv` (UTF-8 with a "
        "byte-order mark, opens in Excel) and `?format=xlsx` with every matching row, unpaged. Errors are JSON "
        "with a `detail` message, or per field for a 400; over the rate limit the answer is 429 with `Retry-After`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True, "validatorUrl": None},
    "TAGS": [
        {"name": "plans", "description": "The yearly Promotional Plans."},
        {"name": "programs", "description": "The programs of each plan, with lead and participant departments."},
        {"name": "work-items", "description": "The work items of the programs, with departments, offices, targets."},
        {"name": "periods", "description": "The reporting periods of each plan year."},
        {"name": "departments", "description": "Central departments (SIPO departments and other ministries)."},
        {"name": "offices", "description": "The 32 provincial-level intellectual property offices."},
    ],
}

# One JSON object a line on stdout in production, for the log collector; planpromo.audit is the record of who did
# what (sign-ins, failures, lock-outs, tokens, report transitions).
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "planpromo.audit": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}
