"""Settings from the environment: a bad value fails with one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import env
from config.env import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw", ["maybe", "2", "ja"])
def test_bad_boolean_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("DP_TEST_FLAG", raw)
    with pytest.raises(ConfigError, match=r"^DP_TEST_FLAG=.* is not a boolean"):
        env.get_bool("DP_TEST_FLAG")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("on", True), ("0", False), ("off", False)],
)
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("DP_TEST_FLAG", raw)
    assert env.get_bool("DP_TEST_FLAG") is expected


def test_unset_values_take_the_default(monkeypatch):
    monkeypatch.delenv("DP_TEST_UNSET", raising=False)
    assert env.get_bool("DP_TEST_UNSET", True) is True
    assert env.get_int("DP_TEST_UNSET", 7) == 7
    assert env.get_size("DP_TEST_UNSET", 99) == 99
    assert env.get_list("DP_TEST_UNSET", ["a"]) == ["a"]


@pytest.mark.parametrize("raw", ["ten", "1.5", "3 workers"])
def test_bad_int_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("DP_TEST_INT", raw)
    with pytest.raises(ConfigError, match=r"^DP_TEST_INT=.* is not a whole number"):
        env.get_int("DP_TEST_INT", 1)


def test_int_minimum(monkeypatch):
    monkeypatch.setenv("DP_TEST_INT", "0")
    with pytest.raises(ConfigError, match=r"^DP_TEST_INT=0 is too small: it must be at least 1"):
        env.get_int("DP_TEST_INT", 1, minimum=1)
    monkeypatch.setenv("DP_TEST_INT", "2_000")
    assert env.get_int("DP_TEST_INT", 1, minimum=1) == 2000


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1024", 1024),
        ("200M", 200 * 1024**2),
        ("200MB", 200 * 1024**2),
        ("200MiB", 200 * 1024**2),
        ("2g", 2 * 1024**3),
        ("1.5K", 1536),
        (" 10 k ", 10 * 1024),
    ],
)
def test_sizes(monkeypatch, raw, expected):
    monkeypatch.setenv("DP_TEST_SIZE", raw)
    assert env.get_size("DP_TEST_SIZE", 1) == expected


@pytest.mark.parametrize("raw", ["lots", "M", "-5M", "0", "12T"])
def test_bad_size_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("DP_TEST_SIZE", raw)
    with pytest.raises(ConfigError, match=r"^DP_TEST_SIZE="):
        env.get_size("DP_TEST_SIZE", 1)


def test_choice(monkeypatch):
    monkeypatch.setenv("DP_TEST_CHOICE", "Blue")
    assert env.get_choice("DP_TEST_CHOICE", "red", ("red", "blue")) == "blue"
    monkeypatch.setenv("DP_TEST_CHOICE", "green")
    with pytest.raises(ConfigError, match=r"^DP_TEST_CHOICE='green' is not one of: red, blue"):
        env.get_choice("DP_TEST_CHOICE", "red", ("red", "blue"))


def test_list(monkeypatch):
    monkeypatch.setenv("DP_TEST_LIST", " a.example , b.example,,")
    assert env.get_list("DP_TEST_LIST", []) == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("X-Forwarded-Proto: https", ("HTTP_X_FORWARDED_PROTO", "https")),
        (" x-forwarded-ssl :on ", ("HTTP_X_FORWARDED_SSL", "on")),
        ("", None),
    ],
)
def test_a_proxy_header_becomes_djangos_meta_name_and_value(monkeypatch, raw, expected):
    monkeypatch.setenv("DP_TEST_HEADER", raw)
    assert env.get_header_value("DP_TEST_HEADER") == expected


@pytest.mark.parametrize("raw", ["https", "X-Forwarded-Proto:", ": https", "X Proto: https"])
def test_a_malformed_proxy_header_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("DP_TEST_HEADER", raw)
    with pytest.raises(ConfigError, match=r"^DP_TEST_HEADER=.* must be 'Header-Name: value'"):
        env.get_header_value("DP_TEST_HEADER")


def test_postgres_url_is_parsed(monkeypatch):
    monkeypatch.setenv(
        "DP_TEST_DB", "postgres://scan%40lib:p%2Fss@db.example.org:6543/digi%20db?sslmode=require"
    )
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")

    db = env.database_from_url("DP_TEST_DB", Path("/unused.sqlite3"))

    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("digi db", "scan@lib", "p/ss")
    assert (db["HOST"], db["PORT"]) == ("db.example.org", "6543")
    assert db["OPTIONS"] == {"sslmode": "require"}
    assert db["CONN_MAX_AGE"] == 0


def test_postgresql_scheme_without_port_or_password(monkeypatch):
    monkeypatch.setenv("DP_TEST_DB", "postgresql://postgres@127.0.0.1/digitization")
    db = env.database_from_url("DP_TEST_DB", Path("/unused.sqlite3"))
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["PORT"]) == (
        "digitization",
        "postgres",
        "",
        "",
    )


def test_sqlite_url_and_default(monkeypatch, tmp_path):
    (tmp_path / "x.sqlite3").touch()
    monkeypatch.setenv("DP_TEST_DB", f"sqlite:///{tmp_path}/x.sqlite3")  # sqlite:////abs/path
    db = env.database_from_url("DP_TEST_DB", Path("/d.sqlite3"))
    assert os.path.samefile(db["NAME"], tmp_path / "x.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    monkeypatch.delenv("DP_TEST_DB")
    default = env.database_from_url("DP_TEST_DB", tmp_path / "default.sqlite3")
    assert default["ENGINE"] == "django.db.backends.sqlite3"
    assert default["NAME"] == str(tmp_path / "default.sqlite3")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user@host/db", "unsupported scheme 'mysql'"),
        ("postgres://user@host", "names no database"),
        ("postgres://user@host:port/db", "has a bad port"),
        ("sqlite://relative.db", "absolute SQLite path"),
        ("sqlite:///", "absolute SQLite path"),
    ],
)
def test_bad_database_url_names_the_variable(monkeypatch, url, message):
    monkeypatch.setenv("DP_TEST_DB", url)
    with pytest.raises(ConfigError, match=r"^DP_TEST_DB=") as error:
        env.database_from_url("DP_TEST_DB", Path("/unused.sqlite3"))
    assert message in str(error.value)


def test_database_url_errors_hide_the_password(monkeypatch):
    monkeypatch.setenv("DP_TEST_DB", "mysql://user:hunter2@host/db")
    with pytest.raises(ConfigError) as error:
        env.database_from_url("DP_TEST_DB", Path("/unused.sqlite3"))
    assert "hunter2" not in str(error.value)
    assert "user:***@host" in str(error.value)


# --- manage.py with a bad environment: one line, no traceback -------------------------------


def _manage_check(tmp_path, **variables) -> subprocess.CompletedProcess:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
        and not key.startswith("PYTEST")
    }
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", DATA_DIR=str(tmp_path / "data"))
    environ.update(variables)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_missing_secret_key_in_production_is_one_line(tmp_path):
    line = _one_line_error(_manage_check(tmp_path))
    assert "SECRET_KEY" in line
    assert line.startswith("configuration error: ")


def test_unsupported_database_url_is_one_line(tmp_path):
    line = _one_line_error(_manage_check(tmp_path, DEBUG="1", DATABASE_URL="mysql://x"))
    assert "DATABASE_URL" in line and "mysql" in line


def test_bad_boolean_setting_is_one_line(tmp_path):
    line = _one_line_error(_manage_check(tmp_path, DEBUG="perhaps"))
    assert line.startswith("configuration error: DEBUG='perhaps'")


def test_good_environment_passes_the_check(tmp_path):
    result = _manage_check(tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
