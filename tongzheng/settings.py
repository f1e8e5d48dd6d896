"""Django settings for Tongzheng, read from the environment.

TONGZHENG_MODE is ``development`` (the default for a local checkout), ``test`` or
``production``. Production refuses to start with any insecure default.
"""

import hashlib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tongzheng.env import env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TONGZHENG_VAR_DIR", str(BASE_DIR / "var")))

MODE = env_str("TONGZHENG_MODE", "development")
if MODE not in ("development", "test", "production"):
    raise ImproperlyConfigured(
        f"TONGZHENG_MODE must be development, test or production, not {MODE!r}"
    )
PRODUCTION = MODE == "production"

INSECURE_SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", INSECURE_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    h for h in env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Keys for personal data (SM4-GCM) and its blind index (HMAC-SM3), 32 hex digits each.
INSECURE_DATA_KEY = "00112233445566778899aabbccddeeff"
INSECURE_INDEX_KEY = "ffeeddccbbaa99887766554433221100"
DATA_KEY = env_str("TONGZHENG_DATA_KEY", INSECURE_DATA_KEY)
INDEX_KEY = env_str("TONGZHENG_INDEX_KEY", INSECURE_INDEX_KEY)

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'tongzheng.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue instead of failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The web application's queries are short: JIT compiling cost 20 ms on a 50 ms
    # search, and a parallel plan under LIMIT kept its workers scanning long after the
    # 20 rows were found (0.8 s against 0.1 s serial, docs/benchmarks.md). Off for every
    # connection of the application; psql and maintenance jobs keep the server's defaults.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c jit=off -c max_parallel_workers_per_gather=0"
    )
    # Django's backend, with timestamps read by psycopg's C loader (core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "tongzheng.core.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if PRODUCTION:
    problems = []
    if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 40:
        problems.append("SECRET_KEY is unset or too short")
    if DATA_KEY == INSECURE_DATA_KEY or INDEX_KEY == INSECURE_INDEX_KEY:
        problems.append("TONGZHENG_DATA_KEY / TONGZHENG_INDEX_KEY use the public development keys")
    if DEBUG:
        problems.append("DEBUG is on")
    if "testserver" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS holds the test host; set it to the site's names")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production mode: " + "; ".join(problems))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "tongzheng.core",
    "tongzheng.audit",
    "tongzheng.accounts",
    "tongzheng.workbench",
    "tongzheng.portal",
    "tongzheng.staffing",
    "tongzheng.hotline",
    "tongzheng.supervision",
    "tongzheng.services",
    "tongzheng.api",
    "ninja",  # serves the API documentation's assets locally, not from a CDN
]
if MODE == "test":
    # A concrete TimedTask model for the tests of tongzheng.core.timed (never in production).
    INSTALLED_APPS.append("tongzheng.core.tests.timedtest")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongzheng.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tongzheng.accounts.middleware.SessionOTPMiddleware",
    "tongzheng.accounts.middleware.SecurityPolicyMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tongzheng.urls"
WSGI_APPLICATION = "tongzheng.wsgi.application"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tongzheng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongzheng.workbench.context.navigation",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tongzheng.accounts.backends.PolicyBackend"]
PASSWORD_HASHERS = [
    # The test suite creates thousands of users; a deliberate slow hash there is only cost.
    "django.contrib.auth.hashers.MD5PasswordHasher"
    if MODE == "test"
    else "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tongzheng.accounts.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# 等保 level 3 login policy; every figure is configurable.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
PASSWORD_MIN_CLASSES = env_int("PASSWORD_MIN_CLASSES", 3)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
STAFF_REQUIRE_TOTP = env_bool("STAFF_REQUIRE_TOTP", True)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 184)
if AUDIT_RETENTION_DAYS < 184:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS may not be below 184 (网络安全法: six months)")

# The cache holds rate-limit counters (hotline intake, extraction-code guessing) and
# page caches. One process needs nothing; several app servers must share one cache, so
# production sets REDIS_URL (e.g. redis://127.0.0.1:6379/1).
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # Keys are prefixed with the database they describe: cached sessions, role scopes and
    # pages of one database must never answer for another sharing the same Redis (a demo
    # database rebuilt under `make run`, a benchmark copy beside it).
    _db = DATABASES["default"]
    _database_key = f"{_db['ENGINE']}|{_db.get('HOST', '')}|{_db.get('PORT', '')}|{_db['NAME']}"
    CACHES = {
        "default": {
            "BACKEND": "tongzheng.core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": hashlib.sha256(_database_key.encode()).hexdigest()[:12],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One cache for every process: sessions and role scopes may then be read from it.
SHARED_CACHE = bool(REDIS_URL)

# 热线办理时限 (working days) by ticket type, and for urgent / emergency tickets (same day
# = 0). Keys: enquiry, help, complaint, suggestion, report, urgent, emergency.
HOTLINE_LIMITS = {
    "enquiry": env_int("HOTLINE_LIMIT_ENQUIRY", 3),
    "help": env_int("HOTLINE_LIMIT_HELP", 3),
    "complaint": env_int("HOTLINE_LIMIT_COMPLAINT", 13),
    "suggestion": env_int("HOTLINE_LIMIT_SUGGESTION", 13),
    "report": env_int("HOTLINE_LIMIT_REPORT", 13),
    "urgent": env_int("HOTLINE_LIMIT_URGENT", 0),
    "emergency": env_int("HOTLINE_LIMIT_EMERGENCY", 0),
}

# The area of the hotline centre (GB/T 2260 code, e.g. 510100): reports filed without a
# place are put there, so the centre (scope 本区划及下级) sees them.
HOTLINE_DEFAULT_DIVISION = env_str("HOTLINE_DEFAULT_DIVISION", "")
# A mailbox letter answered and not rated within this many working days counts as 满意.
HOTLINE_MAILBOX_SATISFIED_WORKING_DAYS = env_int("HOTLINE_MAILBOX_SATISFIED_WORKING_DAYS", 20)
# An emergency ticket must be dispatched within this many minutes of receipt (wall clock,
# not working days); later, supervision raises a 紧急事项超时未派单 warning.
HOTLINE_EMERGENCY_DISPATCH_MINUTES = env_int("HOTLINE_EMERGENCY_DISPATCH_MINUTES", 60)

# Sessions are read from the shared cache (the database row stays the record: the
# session registry ends them through both). Per-process memory would keep a session
# ended by another process alive, so without REDIS_URL they stay in the database only.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if SHARED_CACHE else "db")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
OTP_TOTP_ISSUER = "通政 Tongzheng"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tongzheng" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "build" / "static", BASE_DIR / "tongzheng" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Outside production whitenoise also serves straight from the finders, so a checkout works
# before collectstatic has run.
WHITENOISE_USE_FINDERS = not PRODUCTION

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if MODE == "test"
        else "django_tasks_db.DatabaseBackend"
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.locmem.EmailBackend"
    if MODE == "test"
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@tongzheng.localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

PLATFORM_NAME = _("通政 · 统一电子政务平台")
