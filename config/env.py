"""Reading settings from the environment: every bad value fails with one line naming it."""

import ipaddress
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


class ConfigError(ImproperlyConfigured):
    """A setting from the environment is missing or wrong; the message names the variable."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def get_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def get_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def get_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value} is too small: it must be at least {minimum}")
    return value


def get_float(name: str, default: float, *, minimum: float = 0.0, maximum: float = 1.0) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name}={value} must be between {minimum} and {maximum}")
    return value


def get_size(name: str, default: int) -> int:
    """A byte size: a plain number of bytes or one with a unit (K, M, G; powers of 1024)."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    text = raw.strip().upper().removesuffix("B").removesuffix("I")
    factor = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    try:
        value = int(float(number) * factor)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a size: write bytes or e.g. 200M, 2G") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be a positive size")
    return value


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated IP addresses or CIDR networks."""
    networks = []
    for value in get_list(name, []):
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ConfigError(f"{name}: {value!r} is not an IP address or network") from None
    return networks


def get_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = get_str(name, default).lower()
    if value not in choices:
        raise ConfigError(f"{name}={value!r} is not one of: {', '.join(choices)}")
    return value


def default_storage() -> dict:
    """STORAGES['default']: S3-compatible storage when AWS_STORAGE_BUCKET_NAME is set, else
    local files under MEDIA_ROOT."""
    bucket = get_str("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": get_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": get_str("AWS_S3_REGION_NAME") or None,
            "access_key": get_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": get_str("AWS_SECRET_ACCESS_KEY") or None,
            "location": get_str("AWS_LOCATION"),
            "default_acl": None,
            "file_overwrite": True,
            "querystring_auth": True,
        },
    }


def database_from_url(name: str, default_sqlite: Path) -> dict:
    """Django DATABASES['default'] from a URL: postgres://user:pass@host:port/db or sqlite:///path.

    SQLite is shared by the web process and the queue workers, so it runs in WAL mode with
    IMMEDIATE transactions and a busy timeout (otherwise: "database is locked").
    """
    url = get_str(name)
    if not url:
        return _sqlite(default_sqlite)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc or not path or path == "/":
            raise ConfigError(
                f"{name}={url!r}: write an absolute SQLite path as sqlite:////abs/path.db"
            )
        return _sqlite(Path(path))
    if scheme in {"postgres", "postgresql", "pgsql"}:
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            raise ConfigError(f"{name}={_redact(url)!r} names no database: add /dbname to the URL")
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"{name}={_redact(url)!r} has a bad port") from None
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": get_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigError(
        f"{name}={_redact(url)!r}: unsupported scheme {scheme!r}; use postgres:// or sqlite:///"
    )


def _sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


def get_header_value(name: str) -> tuple[str, str] | None:
    """ "X-Forwarded-Proto: https" as Django's ("HTTP_X_FORWARDED_PROTO", "https")."""
    raw = get_str(name)
    if not raw:
        return None
    header, colon, value = raw.partition(":")
    header, value = header.strip(), value.strip()
    if not colon or not header or not value or not all(c.isalnum() or c == "-" for c in header):
        raise ConfigError(
            f"{name}={raw!r} must be 'Header-Name: value', e.g. X-Forwarded-Proto: https"
        )
    return "HTTP_" + header.upper().replace("-", "_"), value
