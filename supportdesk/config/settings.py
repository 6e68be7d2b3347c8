"""supportdesk settings: one module, every value from the environment, safe defaults.

Embedded default: SQLite file + attachments under ``SUPPORTDESK_DATA_DIR`` and the task
queue in a SQLite file beside it. ``DATABASE_URL`` selects PostgreSQL, ``REDIS_URL`` moves
the task queue to Redis. See README "Configuration".
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from supportdesk.config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("SUPPORTDESK_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)

# Without a configured key we make one per data directory, so sessions survive restarts of a
# demo install but no two installs ever share a key.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    _key_file = DATA_DIR / "secret_key"
    try:
        SECRET_KEY = _key_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(50)
        _key_file.write_text(SECRET_KEY, encoding="utf-8")
        _key_file.chmod(0o600)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # Only for the static Swagger UI of /api/v1/docs (no CDN); ninja has no models.
    "ninja",
    "huey.contrib.djhuey",
    "supportdesk.core",
    "supportdesk.accounts",
    "supportdesk.crm",
    "supportdesk.tickets",
    "supportdesk.portal",
    "supportdesk.workspace",
    "supportdesk.api",
    "supportdesk.intake",
    "supportdesk.search",
    "supportdesk.knowledge",
    "supportdesk.playbooks",
    "supportdesk.sla",
    "supportdesk.notifications",
    "supportdesk.routing",
]

MIDDLEWARE = [
    "supportdesk.core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "supportdesk.core.middleware.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "supportdesk.config.urls"
WSGI_APPLICATION = "supportdesk.config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "supportdesk.core.context_processors.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'supportdesk.sqlite3'}")
# Each web worker thread, the worker and the SMTP ingress keep their connection between
# requests (opening one per request was a third of a small page's time); Django checks
# it is still alive before reusing it, so a restarted database costs one failed check.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 600), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no round trip (core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "supportdesk.core.postgresql"
# PostgreSQL: core.prepared plans its reads once per connection (PREPARE). A pooler in
# transaction mode hands each transaction another server connection, so turn it off there.
DB_SERVER_PREPARE = env_bool("DB_SERVER_PREPARE", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock at
    # BEGIN so two processes never deadlock upgrading read locks; the timeout waits for it.
    # Page cache and memory map are per connection. ``serve`` lowers both (every worker
    # thread keeps a connection; its pages come from the OS's file cache just as fast).
    _cache_kib = env_int("SQLITE_CACHE_MB", 16) * 1024
    _mmap_bytes = env_int("SQLITE_MMAP_MB", 256) * 1024 * 1024
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            f" PRAGMA cache_size=-{_cache_kib}; PRAGMA mmap_size={_mmap_bytes};"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if env_bool("FAST_PASSWORD_HASHER", False):
    # Tests and benchmarks only: login cost is not what they measure.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", SITE_URL.startswith("https://"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)

# --- i18n / time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("SUPPORTDESK_TIME_ZONE", "Asia/Shanghai")

# --- static and uploaded files --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise warns about a missing root even when it serves from finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "attachments"
# Attachments are never served from MEDIA_URL; only the access-checked download view serves
# them. MEDIA_URL is set to a path nothing routes to.
MEDIA_URL = "/_private_media_not_served/"
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# --- supportdesk ----------------------------------------------------------------------
TICKET_NUMBER_PREFIX = env_str("TICKET_NUMBER_PREFIX", "TS")
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 25) * 1024 * 1024
# Request bodies may carry several attachments of the maximum size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ATTACHMENT_ALLOWED_EXTENSIONS = env_list(
    "ATTACHMENT_ALLOWED_EXTENSIONS",
    [
        "png", "jpg", "jpeg", "gif", "bmp", "webp", "pdf", "txt", "log", "csv", "json", "xml",
        "yaml", "yml", "ini", "conf", "cfg", "zip", "gz", "tgz", "7z", "rar", "tar",
        "doc", "docx", "xls", "xlsx", "ppt", "pptx", "har", "dmp", "eml", "msg", "mp4", "mov",
    ],
)  # fmt: skip
API_PAGE_SIZE_MAX = 100
# Closure sweeps run by the worker (R-CL-1): a fix the customer never answers closes as "no
# response" after AUTO_CLOSE_DAYS; a closed ticket is archived after AUTO_ARCHIVE_DAYS.
AUTO_CLOSE_DAYS = env_int("AUTO_CLOSE_DAYS", 7)
AUTO_ARCHIVE_DAYS = env_int("AUTO_ARCHIVE_DAYS", 30)
QUEUE_PAGE_SIZE = 50
# SLA warnings fire when this share (%) of a target's working time is used (R-SL-2).
SLA_WARNING_LEVELS = tuple(
    int(p) for p in env_str("SLA_WARNING_LEVELS", "75,90").split(",") if p.strip()
)

# --- background worker (Huey) ---------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
# Clocks start, mail goes out and the index follows in the worker: an idle worker must look
# for new jobs at least this often (seconds; Huey's own default backs off to 10 s).
_WORKER = {
    "workers": env_int("WORKER_THREADS", 2),
    "worker_type": "thread",
    "max_delay": float(env_str("WORKER_POLL_MAX_SECONDS", "0.5")),
}
# Huey's own classes, able to write a burst of jobs at once (core/queue.py).
if REDIS_URL:
    HUEY = {
        "huey_class": "supportdesk.core.queue.RedisHuey",
        "name": "supportdesk",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": _WORKER,
    }
else:
    HUEY = {
        "huey_class": "supportdesk.core.queue.SqliteHuey",
        "name": "supportdesk",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": _WORKER,
    }

# --- email ----------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Where EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend writes (the demo does).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "sent-mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@supportdesk.localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # A line per job run and per SMTP connection buries what matters (and the demo's
    # banner): JOB_LOG_LEVEL=INFO brings them back. The worker's start and stop stay.
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "huey": {"level": env_str("JOB_LOG_LEVEL", "WARNING")},
        "huey.consumer": {"level": "INFO"},
        "mail.log": {"level": env_str("JOB_LOG_LEVEL", "WARNING")},
    },
}
