"""The OpenAPI schema, Swagger UI served offline, and schemathesis against the schema.

Schemathesis generates requests from the schema (bounded number of examples per
operation), sends them to the WSGI application in process, authenticated as a librarian,
and checks each response: no 5xx, status codes, content types, headers and bodies as the
schema says.
"""

import pytest
import schemathesis
import yaml
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from config.wsgi import application
from tests.api.conftest import ensure_api_roles, token_client
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


def test_schema_describes_every_endpoint_and_error(anonymous):
    response = anonymous.get("/api/schema/")
    assert response.status_code == 200  # the schema and docs are public; the data is not
    document = yaml.safe_load(response.content)
    operations = {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    assert len(operations) == 43
    for (method, path), operation in operations.items():
        codes = set(operation["responses"])
        assert {"401", "403", "429"} <= codes, (method, path)
        if "{id}" in path:
            assert "404" in codes, (method, path)
        for code in codes - {"200", "201", "202", "204", "302"}:
            content = operation["responses"][code]["content"]["application/json"]
            assert content["schema"]["$ref"].endswith(("/Error", "/Conflict")), (method, path)
    assert {"409"} <= set(operations[("PATCH", "/api/v1/pages/{id}/lines/")]["responses"])
    restore = operations[("POST", "/api/v1/pages/{id}/versions/{version}/restore")]
    assert {"200", "404", "409"} <= set(restore["responses"])
    upload = operations[("POST", "/api/v1/volumes/{id}/pages/")]["responses"]
    assert {"413", "415"} <= set(upload)
    assert {"413", "415", "429"} <= set(operations[("POST", "/api/v1/recognize")]["responses"])
    assert (
        "text/plain"
        in operations[("GET", "/api/v1/pages/{id}/text")]["responses"]["200"]["content"]
    )
    exports = operations[("POST", "/api/v1/exports/")]["responses"]
    assert {"200", "202", "400"} <= set(exports)
    assert "404" in operations[("GET", "/api/v1/exports/")]["responses"]  # no such page
    download = operations[("GET", "/api/v1/exports/{id}/download")]["responses"]
    assert {"302", "404", "409"} <= set(download)
    assert {"302", "404"} <= set(operations[("GET", "/api/v1/pages/{id}/thumbnail/")]["responses"])
    found = operations[("GET", "/api/v1/search/")]
    assert {"200", "400"} <= set(found["responses"])
    assert {"q", "book", "volume", "status", "exact_form", "page"} <= {
        parameter["name"] for parameter in found["parameters"]
    }
    assert {"application/pdf", "application/zip", "text/plain"} <= set(download["200"]["content"])
    assert "tokenAuth" in document["components"]["securitySchemes"]


def test_swagger_ui_is_served_offline(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


@pytest.fixture
def in_process_wsgi():
    """As Django's test client does: a request's end must not close the test's connection
    (the test's transaction holds the data)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def librarian_token(db, in_process_wsgi):
    ensure_api_roles()
    make_page_with_lines(3)  # ids 1.. exist, so some generated requests reach real objects
    client = token_client(make_user("schemathesis", "Librarians", staff=False))
    return client._credentials["HTTP_AUTHORIZATION"]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, librarian_token):
    case.call_and_validate(
        headers={"Authorization": librarian_token},
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_headers_conformance,
            checks.response_schema_conformance,
        ],
    )
