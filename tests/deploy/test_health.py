"""Liveness answers whatever is down; readiness and ``manage.py health`` name what is."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.deploy.conftest import probe
from tests.ocr.conftest import manage

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
DEAD_DATABASE = "postgres://health:secret-pass@127.0.0.1:1/nowhere"


def ready(client):
    response = client.get("/health/ready")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_everything_up_is_ready(client, settings, redis_url, ocr_models):
    settings.REDIS_URL = redis_url
    status, body = ready(client)
    assert status == 200, body
    assert body["status"] == "ready" and body["failed"] == []
    checks = body["checks"]
    assert {name: checks[name]["ok"] for name in ("database", "broker", "storage", "models")} == {
        "database": True,
        "broker": True,
        "storage": True,
        "models": True,
    }
    assert checks["broker"]["detail"] == "redis reachable"
    # No queue worker runs in this test: reported, but the web is still ready.
    assert checks["workers"]["ok"] is False and checks["workers"]["critical"] is False


@pytest.mark.django_db
def test_redis_unreachable(client, settings, ocr_models):
    settings.REDIS_URL = DEAD_REDIS
    assert client.get("/health/live").status_code == 200
    status, body = ready(client)
    assert status == 503
    assert body["failed"] == ["broker"]
    assert "ConnectionError" in body["checks"]["broker"]["detail"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_models_missing(client, settings, tmp_path):
    settings.OCR_MODEL_DIR = tmp_path / "empty"
    assert client.get("/health/live").status_code == 200
    status, body = ready(client)
    assert status == 503
    assert body["failed"] == ["models"]
    assert "ocr_models install" in body["checks"]["models"]["detail"]


@pytest.mark.django_db
def test_storage_not_writable(client, settings, tmp_path, ocr_models):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"  # a folder cannot be made inside a file
    assert client.get("/health/live").status_code == 200
    status, body = ready(client)
    assert status == 503
    assert body["failed"] == ["storage"]


@pytest.mark.django_db
def test_health_command_exits_1_naming_the_failed_part(settings, tmp_path, capsys):
    settings.OCR_MODEL_DIR = tmp_path / "empty"
    with pytest.raises(CommandError) as raised:
        call_command("health")
    assert raised.value.returncode == 1
    assert str(raised.value) == "not ready: models"
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("models") and " FAIL " in line for line in lines)
    assert any(line.startswith("database") and " ok " in line for line in lines)


@pytest.mark.django_db
def test_health_command_passes_when_ready(settings, capsys, ocr_models):
    call_command("health")
    assert capsys.readouterr().out.splitlines()[-1] == "ready"


def test_database_unreachable(process_env):
    """A process whose DATABASE_URL points nowhere: alive, not ready, says database."""
    env = process_env(DATABASE_URL=DEAD_DATABASE)
    answers = probe(env, "/health/live", "/health/ready")
    assert answers["/health/live"] == {"status": 200, "body": {"status": "alive"}}
    ready_answer = answers["/health/ready"]
    assert ready_answer["status"] == 503
    body = ready_answer["body"]
    assert "database" in body["failed"]
    assert "OperationalError" in body["checks"]["database"]["detail"]
    assert body["checks"]["storage"]["ok"] and body["checks"]["models"]["ok"]
    assert "secret-pass" not in str(body)

    result = manage(env, "health", timeout=120)
    assert result.returncode == 1
    assert "not ready: database" in result.stderr
    database_line = next(line for line in result.stdout.splitlines() if line.startswith("database"))
    assert " FAIL " in database_line


@pytest.mark.django_db
def test_liveness_uses_no_database_and_accepts_any_host(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200 and response.json() == {"status": "alive"}
    # The same unknown host is refused by the rest of the site.
    assert client.get("/admin/login/", HTTP_HOST="10.1.2.3:8000").status_code == 400


@pytest.mark.django_db
def test_details_only_for_clients_allowed_to_read_metrics(client, settings, tmp_path):
    settings.OCR_MODEL_DIR = tmp_path / "empty"
    outside = client.get("/health/ready", REMOTE_ADDR="10.0.0.5")
    assert outside.status_code == 503
    body = outside.json()
    assert body["failed"] == ["models"]
    assert body["checks"]["models"] == {"ok": False}
    assert str(tmp_path) not in outside.content.decode()
    settings.METRICS_TOKEN = "probe-token-123"
    allowed = client.get(
        "/health/ready", REMOTE_ADDR="10.0.0.5", HTTP_AUTHORIZATION="Bearer probe-token-123"
    )
    assert "ocr_models install" in allowed.json()["checks"]["models"]["detail"]
