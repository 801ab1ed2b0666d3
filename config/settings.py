"""One settings module, driven by environment variables (see README: Settings)."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.embedded_postgres import embedded_database

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment, refusing anything ambiguous."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_count(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be 0 or more, not {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def dev_secret_key() -> str:
    """A random key kept under var/, so sessions survive restarts and all workers agree."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (dev_secret_key() if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

# Served over HTTPS (directly or behind a TLS-terminating proxy that sets X-Forwarded-Proto): on by default
# in production. `make run` (debug) and the tests serve plain HTTP on loopback.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes come over plain HTTP from inside
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_SECONDS", 8 * 60 * 60)  # a clinical shift, then log in again
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "procrastinate.contrib.django",  # the alerts' job queue, in PostgreSQL (before triage, whose tasks it finds)
    "rest_framework_api_key",  # before triage, whose admin unregisters this library's unused key model
    "triage",  # before the admin and drf-spectacular, so its templates override theirs
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "triage.middleware.RequestIdMiddleware",
    "triage.logs.RequestLogMiddleware",
    "triage.metrics.RequestMetricsMiddleware",  # early: its latencies include every other middleware
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "triage.middleware.SecurityHeadersMiddleware",  # below whitenoise: static files keep their own caching
    "triage.middleware.RefusalFloodMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "axes.middleware.AxesMiddleware",
    "triage.middleware.AdminMessageMiddleware",  # Django's MessageMiddleware, skipped on /api/
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "triage.middleware.AdminQueryMiddleware",
    "triage.middleware.DatabaseUnavailableMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins before checking passwords
    "django.contrib.auth.backends.ModelBackend",
]
# Admin logins: locked for 15 minutes after 5 failures for the same username from the same address.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The lockout's address is the one every per-address rule uses (DJANGO_TRUSTED_PROXIES below).
AXES_CLIENT_IP_CALLABLE = "triage.client_address.client_address"

CSRF_FAILURE_VIEW = "triage.api.errors.csrf_failure"  # refusals are audited, as handler403's are

# A strict Content-Security-Policy on every page (triage.middleware.SecurityHeadersMiddleware): the admin shows text
# that patients and intake systems wrote, and loads nothing but this site's own scripts, styles and images (no
# inline script or style). The API's docs pages, whose scripts are inline, set their own (triage.api.docs).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# Each worker's own memory: the rate limits' counts and the audit's repeat counts (triage.counters). Room for many
# addresses' counts (a few tens of MB at most): past it, a third of them are dropped, and start again from zero.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 100_000}}}

# PostgreSQL only: DATABASE_URL when given, else the embedded server under var/.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            **embedded_database(VAR_DIR),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
    # `make run` serves as the role it grants (ADR 0015); migrations, the demo's seeding and the tests run as postgres.
    if os.environ.get("EMBEDDED_DATABASE_USER"):
        DATABASES["default"]["USER"] = os.environ["EMBEDDED_DATABASE_USER"]
# A stuck or vanished database must not hold a worker: bounded connect, statement and lock waits.
DATABASE_TIMEOUTS = (
    f"-c statement_timeout={env_int('DATABASE_STATEMENT_TIMEOUT_MS', 10_000)}"
    f" -c lock_timeout={env_int('DATABASE_LOCK_TIMEOUT_MS', 5_000)}"
    f" -c idle_in_transaction_session_timeout={env_int('DATABASE_IDLE_TRANSACTION_TIMEOUT_MS', 30_000)}"
)
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 3),
    "options": DATABASE_TIMEOUTS,
}
# Through PgBouncer in transaction mode (DATABASE_TRANSACTION_POOLING=true), a server connection serves another
# client between transactions: no server-side cursors, no prepared statements (PgBouncer < 1.21 cannot route
# them), and no startup options, which PgBouncer refuses; it sets the same timeouts on its server connections
# (bench/cluster.py's connect_query; deploy/pgbouncer.ini.template).
if env_bool("DATABASE_TRANSACTION_POOLING", False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    del DATABASES["default"]["OPTIONS"]["options"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders too, so a forgotten collectstatic never breaks the docs.
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "triage.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Closed by default: a view that names no roles is reachable by nobody (viewsets: triage.api.permissions).
    "DEFAULT_PERMISSION_CLASSES": ["triage.api.permissions.NoRoleGiven"],
    "DEFAULT_RENDERER_CLASSES": ["triage.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["triage.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "triage.api.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "triage.api.throttling.ApiKeyRateThrottle",
        "triage.api.throttling.SessionUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": os.environ.get("API_KEY_RATE", "6000/min"),
        "user": os.environ.get("API_USER_RATE", "600/min"),
        "failed_auth": os.environ.get("API_FAILED_AUTH_RATE", "30/min"),
        "anonymous": os.environ.get("API_ANONYMOUS_RATE", "60/min"),
    },
    "UNAUTHENTICATED_USER": None,
    # Client addresses (throttles, the admin's lockout, the audit: triage.client_address) come from the connection,
    # unless this many trusted proxies stand in front and append to X-Forwarded-For: then from the outermost's entry.
    "NUM_PROXIES": env_count("DJANGO_TRUSTED_PROXIES", 0),
    # `?format=` is not a global switch: only the schema and the audit event views offer one, and say so.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "twitch-triage API",
    "DESCRIPTION": (
        "Scores patient-reported facial and muscle twitch presentations against clinical red-flag criteria "
        "(a versioned rule set: each assessment names its version). Decision support for clinicians, not a diagnosis."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "OAS_VERSION": "3.1.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "triage.api.schema.fhir_operation_paths",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": ["self_care", "routine", "urgent", "emergency"],
        "UnitEnum": "triage.rules.measurements.UNITS",
        "TwitchOnsetEnum": "triage.rules.vocabulary.TWITCH_ONSETS",
        "SymptomOnsetEnum": "triage.rules.vocabulary.SYMPTOM_ONSETS",
        "SymptomCodeEnum": "triage.rules.vocabulary.SYMPTOMS",
    },
}

# The audit hash chain. Off only to measure what it costs (bench/): events are then unchained and unverifiable.
AUDIT_HASH_CHAIN = env_bool("AUDIT_HASH_CHAIN", True)

# One JSON object a line, each with its request's id, method, path and API key name (triage.logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "triage.logs.JsonLines"}},
    "filters": {"request": {"()": "triage.logs.RequestContext"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "procrastinate": {"level": "WARNING"}},
}

# Alerts (issue 23): plain-HTTP, loopback and private-address endpoints only with debug on or when allowed here.
ALERT_ALLOW_INSECURE_URLS = env_bool("ALERT_ALLOW_INSECURE_URLS", False)
# A flagged case still pending this long is overdue: marked in the queue (and, with alerts, escalated).
ALERT_ESCALATE_EMERGENCY_MINUTES = env_count("ALERT_ESCALATE_EMERGENCY_MINUTES", 15)
ALERT_ESCALATE_URGENT_MINUTES = env_count("ALERT_ESCALATE_URGENT_MINUTES", 120)
# Alert delivery: attempts before an alert is dead-lettered, the first retry's wait (doubling), a request's limit.
ALERT_MAX_ATTEMPTS = env_count("ALERT_MAX_ATTEMPTS", 8)
ALERT_RETRY_BASE_SECONDS = env_count("ALERT_RETRY_BASE_SECONDS", 5)
ALERT_TIMEOUT_SECONDS = env_count("ALERT_TIMEOUT_SECONDS", 5)
# How often an open review queue asks whether new cases arrived (it says so; it never reloads itself).
QUEUE_ARRIVALS_POLL_SECONDS = env_count("QUEUE_ARRIVALS_POLL_SECONDS", 30)
# Where clinicians open the service: alerts link to the case page under it.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The bearer token a Prometheus off this host sends to GET /metrics (triage.metrics); unset, loopback scrapes only.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
