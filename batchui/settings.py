"""Settings for batchui, read from the environment (django-environ).

Every setting has a zero-configuration default: SQLite, a local-memory cache and the embedded
Batch API simulator. See `.env.example` for the variables.
"""

from datetime import timedelta
from pathlib import Path

import environ

from batchui.core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The default key is only for local use; `check --deploy` flags its "django-insecure-" prefix.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-key-do-not-deploy")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "batchui.core",
    "batchui.simulator",
    "batchui.accounts",
    "batchui.batches",
    "batchui.activity",
    "batchui.review",
]

MIDDLEWARE = [
    # Inert unless URL_PREFIX is set: also accepts paths a reverse proxy forwards with the prefix.
    "batchui.core.middleware.UrlPrefixMiddleware",
    # Before the rest, so that every log line and Batch API call of the request carries its id.
    "batchui.core.middleware.RequestIdMiddleware",
    # First, so that every response carries the Content-Security-Policy (static files too).
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that reads the database (sessions first): a locked or unreachable
    # database gives the "try again" answer (503), with the headers above, not a 500.
    "batchui.core.middleware.DatabaseUnavailableMiddleware",
    # Every page (static files are served above): "private, no-store" (batch data, activity).
    "batchui.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Inert unless REMOTE_USER_HEADER is set (single sign-on through a reverse proxy).
    "batchui.accounts.middleware.ProxyRemoteUserMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "batchui.core.middleware.VaryOnHtmxMiddleware",
    # Every view needs a signed-in person unless it is marked @login_not_required.
    "batchui.accounts.middleware.LoginRequiredMiddleware",
    # After sign-in is enforced: the person's time zone for the pages' times.
    "batchui.accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "batchui.accounts.middleware.MissingApiKeyMiddleware",
    # Last, as django-axes requires: turns a lockout into the login page with a lockout message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "batchui.urls"
WSGI_APPLICATION = "batchui.wsgi.application"

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
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let several threads write without "database is locked".
    # A write waits at most SQLITE_BUSY_TIMEOUT seconds for another writer's lock; past that the
    # person gets the "try again" page (503, core.middleware.DatabaseUnavailableMiddleware).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=5.0),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A persistent connection is checked before reuse, so a restarted server costs no error.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several app instances (or gunicorn workers) share cached review and widget figures only through
# a shared cache: CACHE_URL=redis://host:6379/0. It is only a cache: FallbackRedisCache answers a
# Redis failure as a miss (logged), with short timeouts so that a hung Redis costs little.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://batchui")}
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="batchui"))
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "batchui.core.cache.FallbackRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "health_check_interval": 30}
    )
# The batch list's rendered rows, in each process's memory (templates/batches/list.html): a row
# is rendered again when its batch, the person's rights on it or the time zone change.
CACHES["rows"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "batch-rows",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
# Sessions in the database only: a Redis outage must not sign anyone out or fail a page, and a
# session ended while Redis was unreachable must not come back from the cache afterwards.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.db")

# --- Sign-in, sessions, roles (batchui.accounts) -------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: refuses sign-ins while a lockout is in force.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the person's profile and permissions read in fewer queries.
    "batchui.accounts.backends.AccountBackend",
    # Inert unless REMOTE_USER_HEADER is set.
    "batchui.accounts.backends.ProxyRemoteUserBackend",
]
# Error pages and error e-mails never show API keys (DEBUG or not).
DEFAULT_EXCEPTION_REPORTER_FILTER = "batchui.accounts.reporting.SecretsExceptionReporterFilter"
LOGIN_URL = "accounts:login"  # a URL name: reversed with URL_PREFIX
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Single sign-on: the request.META key a trusted reverse proxy fills with the signed-in user name,
# e.g. HTTP_X_REMOTE_USER for an "X-Remote-User" header. Only set it when the proxy strips that
# header from clients' requests. Unset (the default): sign-in with a password only.
REMOTE_USER_HEADER = env.str("REMOTE_USER_HEADER", default="")
# Whether a name first seen in the header becomes a new (role-less) account.
REMOTE_USER_CREATE_UNKNOWN = env.bool("REMOTE_USER_CREATE_UNKNOWN", default=False)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"  # under URL_PREFIX: see the reverse proxy section
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "batchui.core.storage.StaticStorage"},
}

# --- Batch API ---------------------------------------------------------------------------------
# Unset: the embedded simulator (batchui.simulator), reached in-process through a requests adapter.
BATCH_API_URL = env.str("BATCH_API_URL", default="")
ECI_API_KEY = env.str("ECI_API_KEY", default="")
BATCH_API_TIMEOUT = env.float("BATCH_API_TIMEOUT", default=10.0)
BATCH_API_CONNECT_TIMEOUT = env.float("BATCH_API_CONNECT_TIMEOUT", default=3.05)
BATCH_API_RETRY_BUDGET = env.float("BATCH_API_RETRY_BUDGET", default=8.0)
# The most a person waits for one API call, retries and reading its answer included; a request
# making several calls waits at most this in all (batchui.core.middleware.RequestIdMiddleware).
BATCH_API_DEADLINE = env.float("BATCH_API_DEADLINE", default=10.0)
BATCH_ACTION_WAIT_SECONDS = env.float("BATCH_ACTION_WAIT_SECONDS", default=BATCH_API_DEADLINE + 5)
# Answers larger than this are refused unread (a 1,000-batch page is about 1 MB).
BATCH_API_MAX_RESPONSE_BYTES = env.int("BATCH_API_MAX_RESPONSE_BYTES", default=8 * 1024 * 1024)
# The IANA zone of the API's date-times sent without an offset (and of the dates written to it).
BATCH_API_TIME_ZONE = env.str("BATCH_API_TIME_ZONE", default="UTC")
# Fernet key(s) encrypting people's API keys at rest, comma-separated: the first encrypts, all
# decrypt (rotation). Unset: derived from SECRET_KEY, and `check --deploy` warns.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

# --- Simulator (only used by the embedded simulator and `runsimulator`) ------------------------
SIMULATOR_LATENCY_MS = env.int("SIMULATOR_LATENCY_MS", default=0)
SIMULATOR_FAULTS = env.str("SIMULATOR_FAULTS", default="")
SIMULATOR_TIME_ZONE = env.str("SIMULATOR_TIME_ZONE", default="UTC")  # an IANA name

# --- Security headers and cookies ----------------------------------------------------------------
# HTTPS-only cookies, HSTS and the HTTPS redirect are on unless DEBUG (each can be set on its own).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load-balancer probes may speak plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# The CSRF token reaches htmx through `hx-headers` on <body>, so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# --- Reverse proxy -------------------------------------------------------------------------------
# Served under a path of the intranet's reverse proxy, e.g. URL_PREFIX=/batches-desk: every URL the
# application writes (links, redirects, static files, sign-in) starts with it, and the cookies are
# limited to it. The proxy may strip the prefix or forward it (UrlPrefixMiddleware accepts both).
_url_prefix = env.str("URL_PREFIX", default="").strip("/")
URL_PREFIX = f"/{_url_prefix}" if _url_prefix else ""
if URL_PREFIX:
    FORCE_SCRIPT_NAME = URL_PREFIX
    # Absolute: a relative STATIC_URL gets the prefix only if first read during a request.
    STATIC_URL = f"{URL_PREFIX}/static/"
    SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = URL_PREFIX + "/"
# The Host header as the proxy received it (X-Forwarded-Host), when the proxy sets it.
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
# Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (opt-in).
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Who may frame the intranet widget (views decorated with @frameable_by_intranet), e.g.
# WIDGET_FRAME_ANCESTORS=https://intranet.example. Empty: nobody.
WIDGET_FRAME_ANCESTORS = env.list("WIDGET_FRAME_ANCESTORS", default=[])
# Who may see /widget/ and /widget.json: "signed-in" (people with the view_widget permission) or
# "token" (also anyone presenting WIDGET_TOKEN, for an intranet portal that does not sign in).
WIDGET_ACCESS = env.str("WIDGET_ACCESS", default="signed-in")
WIDGET_TOKEN = env.str("WIDGET_TOKEN", default="")
# The read-only key the widget's figures are fetched with when no person is signed in.
WIDGET_API_KEY = env.str("WIDGET_API_KEY", default="")

# --- Review screen ------------------------------------------------------------------------------
REVIEW_STALE_DAYS = env.int("REVIEW_STALE_DAYS", default=14)
REVIEW_CLOSED_DAYS = env.int("REVIEW_CLOSED_DAYS", default=30)
REVIEW_CACHE_SECONDS = env.int("REVIEW_CACHE_SECONDS", default=120)
# No inline script or style anywhere (htmx runs with allowEval false).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Sign-in throttling (django-axes) ------------------------------------------------------------
# The database handler shares attempts between every app instance using the same database.
AXES_HANDLER = env.str("AXES_HANDLER", default="axes.handlers.database.AxesDatabaseHandler")
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Per person and address: a guesser cannot lock everyone behind one proxy address out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "batchui.accounts.views.locked_out"
# The address is REMOTE_ADDR: behind a reverse proxy every attempt shares the proxy's address, and
# the lockout is then per name.

# --- Logging -----------------------------------------------------------------------------------
# JSON lines (time, level, logger, message, request_id, extra fields) unless DEBUG; LOG_FORMAT=json
# or text chooses. Everything goes to stdout.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
