"""Settings for eproc, read from environment variables only.

`environs` parses and validates each variable and fails loudly on a malformed value. The only defaults that are
not production-safe are behind EPROC_DEBUG (the embedded demo that `make run` starts), so a production deployment
that forgets a secret refuses to start instead of running with a known one.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from environs import Env

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("EPROC_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.bool("EPROC_DEBUG", False)
TESTING = env.bool("EPROC_TESTING", False)

if DEBUG or TESTING:
    SECRET_KEY = env.str("EPROC_SECRET_KEY", "insecure-demo-key-only-for-make-run-and-tests")
else:
    SECRET_KEY = env.str("EPROC_SECRET_KEY")  # required in production: no default on purpose
    # An empty or short key would start, then fail or sign weakly: refuse it at start (50+ characters, as
    # `check --deploy` asks; `python -c "import secrets; print(secrets.token_urlsafe(50))"` makes one).
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("EPROC_SECRET_KEY must be at least 50 random characters")

ALLOWED_HOSTS = env.list("EPROC_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.list("EPROC_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "ninja",  # its Swagger UI files, served from our static files for /api/v1/docs
    "eproc.audit",
    "eproc.accounts",
    "eproc.organizations",
    "eproc.vendors",
    "eproc.planning",
    "eproc.complaints",
    "eproc.training",
    "eproc.operations",
    "eproc.bids",
    "eproc.tenders",
    "eproc.evaluation",
    "eproc.publication",
    "eproc.monitoring",
    "eproc.risk",
    "eproc.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "eproc.monitoring.middleware.RequestCounterMiddleware",  # requests per minute for the capacity panel
    "django.contrib.sessions.middleware.SessionMiddleware",
    "eproc.accounts.middleware.SessionRenewalMiddleware",  # inside SessionMiddleware, which saves what it renews
    "eproc.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "eproc.accounts.middleware.RequireMfaMiddleware",
    "eproc.accounts.middleware.SessionLifetimeMiddleware",
    "eproc.web.middleware_incident.IncidentMiddleware",
]

# Widgets render through the project's templates, so eproc/templates/django/forms/widgets/ can override Django's.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "eproc.config.urls"
WSGI_APPLICATION = "eproc.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "eproc" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "eproc.web.context_processors.lpse",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; PostgreSQL 15+ in production via DATABASE_URL.
DATABASES = {"default": env.dj_db_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'eproc.sqlite3'}", conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing with "database is
        # locked" when both try to upgrade a read lock (the audit chain head is read then written).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests use a file, not the in-memory default, so concurrent writers meet the same locking as in production.
    # The process id keeps two test runs on one machine (a developer's and a helper's) from sharing a file.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-eproc-{os.getpid()}.sqlite3")}
# Each worker thread keeps its connection between requests: otherwise every request opens one (on SQLite, running
# the PRAGMAs above too), about 7% of an upload worker's time at the deadline (benchmarks/README.md).
# Not under the development server (EPROC_DEBUG), which starts a thread per request and would only leak them.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("EPROC_DB_CONN_MAX_AGE", 0 if DEBUG else 60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------------------------
# Login rate limits live in the cache, so the cache must be shared by every worker process: Redis when
# EPROC_REDIS_URL is set, otherwise a file cache on local disk (shared by the processes of one machine).
if env.str("EPROC_REDIS_URL", ""):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env.str("EPROC_REDIS_URL")}
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Public pages for anonymous visitors are served from the cache for at most this long, and never past a public change
# or a scheduled stage change (eproc/web/public_cache.py); 0 turns it off. Off in the test suite, whose tests change
# rows and look at the pages at once; the cache's own tests turn it on.
EPROC_PUBLIC_CACHE_SECONDS = env.int("EPROC_PUBLIC_CACHE_SECONDS", 0 if TESTING else 60)

# --- Accounts ---------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Agency-side and LPSE accounts are created from a decree (SK) by an administrator, never by self sign-up;
# vendors register through their own flow.
ACCOUNT_ADAPTER = "eproc.accounts.adapter.AccountAdapter"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    # Pasal 4(2)a / 5: guard access codes against guessing.
    "login_failed": env.str("EPROC_RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
MFA_TOTP_ISSUER = env.str("EPROC_LPSE_SHORT_NAME", "LPSE Ketapang")
# Roles whose members must have a second factor before they can use the system (DESIGN 6): LPSE staff and
# procurement committees. Configurable because an LPSE may extend it (e.g. to PPK) or stage its roll-out.
EPROC_MFA_REQUIRED_ROLES = env.list(
    "EPROC_MFA_REQUIRED_ROLES",
    [
        "lpse_admin",
        "verifikator",
        "helpdesk",
        "trainer",
        "kepala_lpse",
        "sekretaris_lpse",
        "pokja",
        "pejabat_pengadaan",
    ],
)

# Sessions expire after a period without activity (sliding window); closing the browser ends them too (the
# cookie has no "remember me").
SESSION_COOKIE_AGE = env.int("EPROC_SESSION_IDLE_SECONDS", 2 * 60 * 60)
# The window slides at most once a minute (eproc.accounts.middleware.SessionRenewalMiddleware), not on every request:
# saving the session on every request is a database write per request, per upload chunk at a bid deadline.
SESSION_SAVE_EVERY_REQUEST = False
EPROC_SESSION_RENEW_SECONDS = env.int("EPROC_SESSION_RENEW_SECONDS", 60)
# However busy, a session ends this long after sign-in (eproc.accounts.middleware.SessionLifetimeMiddleware).
EPROC_SESSION_MAX_SECONDS = env.int("EPROC_SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Security ---------------------------------------------------------------------------------------------------
SECURE = env.bool("EPROC_SECURE", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env.bool("EPROC_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
# The "preload" directive only says the site consents to the browsers' HTTPS-only list; enrolling is a separate
# submission that only the owner of the registrable domain (e.g. ketapangkab.go.id, served with this header at its
# apex) can make, and the LPSE is normally a subdomain of it. So the directive is on in production, and an LPSE
# that must not consent turns it off with EPROC_HSTS_PRELOAD=0 and sees `check --deploy` say so: no check is
# silenced (tests/security/test_web_hardening.py).
SECURE_HSTS_PRELOAD = env.bool("EPROC_HSTS_PRELOAD", SECURE)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
EPROC_MAX_DECREE_BYTES = env.int("EPROC_MAX_DECREE_BYTES", 10 * 1024 * 1024)

# --- I18n -------------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "eproc" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"  # the LPSE's own zone (WIB); each agency has its own zone for display
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "eproc" / "static"]
MEDIA_ROOT = Path(env.str("EPROC_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- E-mail -----------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EPROC_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EPROC_EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EPROC_EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EPROC_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EPROC_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EPROC_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("EPROC_DEFAULT_FROM_EMAIL", "LPSE Kabupaten Ketapang <lpse@ketapangkab.go.id>")

# --- The LPSE itself (shown on public pages) -------------------------------------------------------------------
EPROC_LPSE = {
    "name": env.str("EPROC_LPSE_NAME", "LPSE Kabupaten Ketapang"),
    "short_name": env.str("EPROC_LPSE_SHORT_NAME", "LPSE Ketapang"),
    "address": env.str(
        "EPROC_LPSE_ADDRESS",
        "Sekretariat Daerah Kabupaten Ketapang, Jl. Letjend. S. Parman No. 1, Ketapang, Kalimantan Barat",
    ),
    "phone": env.str("EPROC_LPSE_PHONE", "(0534) 32001"),
    "email": env.str("EPROC_LPSE_EMAIL", "lpse@ketapangkab.go.id"),
    "helpdesk_hours": env.str("EPROC_LPSE_HELPDESK_HOURS", "Senin-Jumat 08.00-16.00 WIB"),
    # Pasal 9(1)a-c, 10(1)-(3): the organs above the Head of LPSE, named by position (they hold no system role).
    "pembina": env.str("EPROC_LPSE_PEMBINA", "Bupati Ketapang"),
    "pengarah": env.str("EPROC_LPSE_PENGARAH", "Sekretaris Daerah Kabupaten Ketapang"),
    "penanggung_jawab": env.str("EPROC_LPSE_PENANGGUNG_JAWAB", "Asisten Administrasi Umum Sekretariat Daerah"),
}

# --- Vendors ----------------------------------------------------------------------------------------------------
# Pasal 9(7)e: the administrator gives vendors their credentials after the Verifikator's approval. An LPSE that keeps
# the two roles apart sets this; otherwise the approval activates at once (the activation is still its own record).
EPROC_VENDOR_ACTIVATION_BY_ADMIN = env.bool("EPROC_VENDOR_ACTIVATION_BY_ADMIN", False)

# Sandbox (issue 5): new tenders follow their ruleset with each working day lasting one minute and no office hours,
# so a whole tender can be walked through in minutes. Never on in production; every page says so when it is on.
EPROC_SANDBOX = env.bool("EPROC_SANDBOX", False)
if EPROC_SANDBOX and not (DEBUG or TESTING):
    raise ImproperlyConfigured("EPROC_SANDBOX is for demos and training only, not for production")
# The rules new tenders follow (tenders/rules.py); running tenders keep the version they were made with.
EPROC_RULESET = env.str("EPROC_RULESET", "perpres-70-2012")

# Publication (Pasal 7(1)c, 12; DESIGN 7). The ocid prefix is the one the Open Contracting Partnership registers for
# the publisher ("ocds-" and six characters); the public URL makes absolute links in releases and feeds.
EPROC_OCID_PREFIX = env.str("EPROC_OCID_PREFIX", "ocds-lpsekp")
EPROC_PUBLIC_URL = env.str("EPROC_PUBLIC_URL", "http://127.0.0.1:8000")
EPROC_PUBLISHER_NAME = env.str("EPROC_PUBLISHER_NAME", "LPSE Kabupaten Ketapang")
# Largest procurement document (drawings and bills of quantities can be big).
EPROC_MAX_TENDER_DOCUMENT_BYTES = env.int("EPROC_MAX_TENDER_DOCUMENT_BYTES", 50 * 1024 * 1024)

# --- Complaints (Pasal 14) -------------------------------------------------------------------------------------
# Where complaints are forwarded (Pasal 14b) and through which channel (e-mail by default).
EPROC_COMPLAINT_DESTINATIONS = {
    "lpse_pusat": env.str("EPROC_COMPLAINT_TO_LPSE_PUSAT", "pengaduan@lkpp.go.id"),
    "tim_pengawas": env.str("EPROC_COMPLAINT_TO_SUPERVISORS", "inspektorat@ketapangkab.go.id"),
}
EPROC_COMPLAINT_CHANNEL = env.str("EPROC_COMPLAINT_CHANNEL", "eproc.complaints.channels.EmailChannel")
RATELIMIT_VIEW = "eproc.web.views.rate_limited"

# --- Sealed bids (DESIGN 5) --------------------------------------------------------------------------------------
# Ed25519 key that signs bid receipts and log checkpoints; text from `manage.py bids_signing_key`. Required in
# production; the demo and tests create one under EPROC_VAR_DIR/keys.
EPROC_SIGNING_KEY = env.str("EPROC_SIGNING_KEY", "")
EPROC_LOG_ORIGIN = env.str("EPROC_LOG_ORIGIN", f"{EPROC_LPSE['name']} - log penawaran")
EPROC_MAX_BID_BYTES = env.int("EPROC_MAX_BID_BYTES", 2 * 1024**3)
EPROC_MAX_BID_CHUNK_BYTES = env.int("EPROC_MAX_BID_CHUNK_BYTES", 16 * 1024**2)
# Bid deadlines are judged by when a request reached the reverse proxy, not when an app worker got to it
# (eproc/core/arrival.py): the header nginx stamps (`proxy_set_header X-Request-Start "t=${msec}";`), empty to use
# the app's clock; set it only behind a proxy that overwrites the header. A stamp older than the maximum wait is
# not believed.
EPROC_REQUEST_START_HEADER = env.str("EPROC_REQUEST_START_HEADER", "")
EPROC_REQUEST_START_MAX_WAIT_SECONDS = env.int("EPROC_REQUEST_START_MAX_WAIT_SECONDS", 120)
EPROC_BID_OPENING_WORKERS = env.int("EPROC_BID_OPENING_WORKERS", 2)

# --- National-portal outbox (Pasal 12b; DESIGN 7) ---------------------------------------------------------------
# `manage.py deliver_outbox` POSTs each public change to this endpoint with its idempotency key. Empty URL: delivery
# is switched off and the queue keeps every change until one is set. The token is sent as a Bearer credential.
EPROC_PORTAL_URL = env.str("EPROC_PORTAL_URL", "")
EPROC_PORTAL_TOKEN = env.str("EPROC_PORTAL_TOKEN", "")
EPROC_PORTAL_TIMEOUT_SECONDS = env.float("EPROC_PORTAL_TIMEOUT_SECONDS", 15.0)
# After the n-th failed attempt the entry waits base * 2^(n-1) seconds, never more than the cap (then retries forever).
EPROC_PORTAL_BACKOFF_BASE_SECONDS = env.int("EPROC_PORTAL_BACKOFF_BASE_SECONDS", 60)
EPROC_PORTAL_BACKOFF_CAP_SECONDS = env.int("EPROC_PORTAL_BACKOFF_CAP_SECONDS", 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # JSON lines by default (eproc.core.logs); EPROC_LOG_FORMAT=text for a person reading a terminal.
    "formatters": {
        "json": {"()": "eproc.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("EPROC_LOG_FORMAT", "text" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("EPROC_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
