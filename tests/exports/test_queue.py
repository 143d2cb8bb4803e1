"""Exports through the real queue: a ``manage.py qcluster`` subprocess on the test database
builds them, fails them with a reason, and its schedule deletes expired ones."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_q.models import Schedule, Task

from exports import building
from exports.models import Export, ExportStatus
from exports.schedules import EXPIRY, ensure_schedules
from tests.exports.conftest import export_now, read
from tests.exports.factories import make_fixed_book
from tests.factories import stored_files
from tests.ocr.conftest import qcluster, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

GOLDEN = Path(__file__).parent / "golden"
FINISHED = (ExportStatus.DONE, ExportStatus.FAILED)


def status(export) -> str:
    return Export.objects.values_list("status", flat=True).get(pk=export.pk)


def test_worker_builds_the_export_once_and_it_is_reused(process_env, tmp_path):
    book = make_fixed_book()
    export, created = building.request_export(book, "alto")
    twin, twin_created = building.request_export(book, "alto")  # clicked twice
    assert created and not twin_created and twin.pk == export.pk
    with qcluster(process_env(EXPORT_TEMP_DIR=tmp_path / "tmp")):
        wait_for(lambda: status(export) in FINISHED, timeout=120, what="export built")
        wait_for(lambda: Task.objects.filter(group="exports").exists(), what="task result")
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    assert read(export) == (GOLDEN / "fixed-book.alto.xml").read_bytes()
    assert export.size == len(read(export)) and export.pages_done == export.pages_total == 3
    assert export.task_id and export.content_stamp
    again, created = building.request_export(book, "alto")
    assert not created and again.pk == export.pk
    assert Task.objects.filter(group="exports").count() == 1
    assert list((tmp_path / "tmp").iterdir()) == []


def test_worker_records_a_failed_export_and_leaves_no_file(process_env, tmp_path, media_root):
    book = make_fixed_book()
    page = book.volumes.get(sequence=1).pages.get(sequence=2)
    with default_storage.open(page.image.name, "wb") as broken:
        broken.write(b"\x89PNG\r\n\x1a\n not really a png")
    export, _ = building.request_export(book, "pdf")
    with qcluster(process_env(EXPORT_TEMP_DIR=tmp_path / "tmp")):
        wait_for(lambda: status(export) in FINISHED, timeout=120, what="export finished")
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "page 2 of volume 1 (p2.png): image cannot be read" in export.error
    assert not export.file
    assert not [name for name in stored_files(media_root) if name.startswith("exports/")]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_the_expiry_schedule_deletes_expired_exports_and_their_files(process_env):
    book = make_fixed_book()
    expired = export_now(book, "txt")
    kept = export_now(book, "csv")
    Export.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    ensure_schedules()
    Schedule.objects.filter(name=EXPIRY).update(next_run=timezone.now())
    with qcluster(process_env()):
        # django-q2 looks at its schedules every 30 seconds
        wait_for(
            lambda: not Export.objects.filter(pk=expired.pk).exists(),
            timeout=120,
            what="expired export deleted",
        )
        wait_for(lambda: not default_storage.exists(expired.file.name), what="file deleted")
    assert Export.objects.filter(pk=kept.pk).exists()
    assert default_storage.exists(kept.file.name)
