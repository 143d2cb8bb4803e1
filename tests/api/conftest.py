"""Users of every role with API clients (token or session), and catalogue rows."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.ocr.conftest import process_env  # noqa: F401 - a real worker's environment
from tests.ocr.lines import make_user

ROLES = ("Librarians", "Correctors", "API readers")


def ensure_api_roles() -> None:
    """The groups of the roles migrations (the exports ones too), made again after a
    transactional test's flush."""
    granted = Group.objects.filter(
        name="Librarians", permissions__codename="view_all_exports"
    ).exists()
    if Group.objects.filter(name__in=ROLES).count() < len(ROLES) or not granted:
        importlib.import_module("ocr.migrations.0006_api_readers").create_group(apps, None)
        importlib.import_module("exports.migrations.0003_roles").grant(apps, None)
        importlib.import_module("ocr.migrations.0009_page_version_roles").grant(apps, None)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def role_user(db):
    def make(role: str | None, name: str | None = None):
        ensure_api_roles()
        groups = (role,) if role else ()
        # API users need not be staff: the groups' permissions are what count.
        return make_user(name or (role or "nobody").lower().replace(" ", "_"), *groups, staff=False)

    return make


@pytest.fixture
def librarian(role_user):
    return token_client(role_user("Librarians"))


@pytest.fixture
def corrector(role_user):
    return token_client(role_user("Correctors"))


@pytest.fixture
def reader(role_user):
    return token_client(role_user("API readers"))


@pytest.fixture
def nobody(role_user):
    """Authenticated, in no group."""
    return token_client(role_user(None))


@pytest.fixture
def anonymous():
    return APIClient()


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape: code and detail, and the expected status."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture(scope="session")
def ocr_models():
    """The bundled models, installed once (offline copy from the wheels)."""
    from django.conf import settings

    from ocr import provisioning

    provisioning.install_models(settings.OCR_MODEL_DIR)
    return settings.OCR_MODEL_DIR
