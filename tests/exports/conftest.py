"""Fixtures for export tests: the fixed book, building an export in this process, and the
vendored schemas exports are validated against."""

from pathlib import Path

import pytest
from lxml import etree

from exports import building
from exports.models import Export, ExportStatus
from tests.exports.factories import make_fixed_book

SCHEMAS = Path(__file__).parent / "schemas"


class _LocalSchemas(etree.Resolver):
    """ALTO imports XLink from loc.gov: answer with the vendored copy, never the network."""

    def resolve(self, url, pubid, context):
        if url.endswith("/xlink.xsd"):
            return self.resolve_filename(str(SCHEMAS / "xlink.xsd"), context)
        return None


@pytest.fixture(scope="session")
def alto_schema():
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "alto-4-4.xsd"), parser))


@pytest.fixture
def fixed_book(db):
    return make_fixed_book()


def export_now(book, fmt: str, **options) -> Export:
    """Request an export and build it here, through the same service the task calls."""
    export, created = building.request_export(book, fmt, enqueue=False, **options)
    if created:
        building.build(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    return export


def read(export: Export) -> bytes:
    with export.file.open("rb") as handle:
        return handle.read()


# The real-queue fixtures of the OCR tests: a subprocess environment sharing this test's
# database, media and models (a worker refuses to start without the OCR models).
from tests.ocr.conftest import ocr_models, process_env  # noqa: E402, F401
