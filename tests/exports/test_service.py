"""The export service in this process: reuse of fresh exports, failures, expiry, the
command, the admin actions and the download view."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from exports import building
from exports.models import Export, ExportStatus, Scope
from ocr.models import TextLine
from tests.exports.conftest import export_now, read
from tests.factories import stored_files

GOLDEN = Path(__file__).parent / "golden"


def correct(book, old: str, new: str) -> None:
    """A correction as the review screen saves it: new text, version raised."""
    updated = TextLine.objects.filter(page__volume__book=book, text=old).update(
        text=new, version=F("version") + 1, corrected_at=timezone.now()
    )
    assert updated == 1


def test_same_export_with_unchanged_text_is_reused(fixed_book):
    first = export_now(fixed_book, "alto")
    again, created = building.request_export(fixed_book, "alto")
    assert not created and again.pk == first.pk
    assert Export.objects.count() == 1


def test_a_correction_since_makes_a_new_export_with_the_new_text(fixed_book):
    first = export_now(fixed_book, "txt")
    correct(fixed_book, "Left two", "Left 2")
    second = export_now(fixed_book, "txt")
    assert second.pk != first.pk
    assert "Left 2" in read(second).decode() and "Left two" in read(first).decode()


@pytest.mark.parametrize(
    "options",
    [
        {"text_source": "engine"},
        {"per_page": True},
        {"include_images": True},
        {"scope": Scope.PAGES, "page_ids": "first"},
    ],
)
def test_other_options_are_other_exports(fixed_book, options):
    first = export_now(fixed_book, "txt")
    if options.get("page_ids") == "first":
        options = {**options, "page_ids": [fixed_book.volumes.first().pages.first().pk]}
    other = export_now(fixed_book, "txt", **options)
    assert other.pk != first.pk


def test_an_export_near_expiry_or_without_its_file_is_not_reused(fixed_book):
    first = export_now(fixed_book, "csv")
    Export.objects.filter(pk=first.pk).update(expires_at=timezone.now() + timedelta(minutes=1))
    assert export_now(fixed_book, "csv").pk != first.pk
    second = Export.objects.latest("pk")
    default_storage.delete(second.file.name)
    assert export_now(fixed_book, "csv").pk != second.pk


def test_zip_holds_the_export_and_the_page_images(fixed_book):
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(read(export_now(fixed_book, "txt", include_images=True))))
    assert sorted(archive.namelist()) == [
        "fixed-book-txt/fixed-book-txt.txt",
        "fixed-book-txt/images/01-0001.png",
        "fixed-book-txt/images/01-0002.png",
        "fixed-book-txt/images/02-0001.png",
    ]
    assert (
        archive.read("fixed-book-txt/fixed-book-txt.txt")
        == (GOLDEN / "fixed-book.txt").read_bytes()
    )
    page = fixed_book.volumes.first().pages.first()
    with page.image.open("rb") as image:
        assert archive.read("fixed-book-txt/images/01-0001.png") == image.read()


def test_a_failed_export_says_why_and_leaves_no_file(fixed_book, settings, tmp_path, media_root):
    settings.EXPORT_TEMP_DIR = tmp_path / "export-tmp"
    page = fixed_book.volumes.get(sequence=2).pages.get()
    default_storage.delete(page.image.name)
    export, _ = building.request_export(fixed_book, "pdf", enqueue=False)
    building.build(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "page 1 of volume 2 (v2-p1.png): image cannot be read" in export.error
    assert not export.file and export.size is None
    assert not [name for name in stored_files(media_root) if name.startswith("exports/")]
    assert list(settings.EXPORT_TEMP_DIR.iterdir()) == []
    # A failed export is never reused: asking again builds again.
    assert building.request_export(fixed_book, "pdf", enqueue=False)[1]


def test_expired_exports_are_deleted_with_their_files(
    fixed_book, django_capture_on_commit_callbacks
):
    old = export_now(fixed_book, "txt")
    fresh = export_now(fixed_book, "csv")
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert building.delete_expired() == 1
    assert list(Export.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(fresh.file.name)


def test_export_command_writes_the_file(fixed_book, tmp_path):
    output = tmp_path / "out.xml"
    stdout = io.StringIO()
    call_command("export", "--book", "fixed-book", "--format", "alto", "--output", str(output),
                 stdout=stdout)  # fmt: skip
    assert output.read_bytes() == (GOLDEN / "fixed-book.alto.xml").read_bytes()
    assert str(output) in stdout.getvalue()
    call_command("export", "--book", "fixed-book", "--format", "alto", stdout=stdout)
    assert "Reusing export" in stdout.getvalue()


def test_export_command_volume_and_engine_text(fixed_book, tmp_path):
    output = tmp_path / "vol2.txt"
    call_command("export", "--book", str(fixed_book.pk), "--format", "txt", "--volume", "2",
                 "--source", "engine", "--output", str(output), stdout=io.StringIO())  # fmt: skip
    assert output.read_text(encoding="utf-8").splitlines() == [
        "清河張氏宗譜卷二",
        "始祖諱𠀀公字子明",
        "世居清何郡",
    ]
    with pytest.raises(CommandError, match="no volume 7"):
        call_command("export", "--book", "fixed-book", "--format", "txt", "--volume", "7")
    with pytest.raises(CommandError, match="no book"):
        call_command("export", "--book", "missing", "--format", "txt")


def test_admin_action_queues_exports_and_the_list_links_downloads(fixed_book, admin_client):
    url = reverse("admin:books_volume_changelist")
    volume = fixed_book.volumes.get(sequence=2)
    response = admin_client.post(
        url, {"action": "export_hocr", "_selected_action": [volume.pk]}, follow=True
    )
    assert response.status_code == 200
    export = Export.objects.get()
    assert (export.scope, export.volume, export.format) == (Scope.VOLUME, volume, "hocr")
    assert export.status == ExportStatus.QUEUED and export.requested_by.is_superuser
    building.build(export.pk)
    listing = admin_client.get(reverse("admin:exports_export_changelist"))
    download = reverse("exports:download", args=[export.pk])
    assert download in listing.content.decode()
    response = admin_client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).count(b'class="ocr_page"') == 1
    assert "attachment" in response["Content-Disposition"]


def test_page_action_exports_the_chosen_pages(fixed_book, admin_client):
    pages = list(fixed_book.volumes.get(sequence=1).pages.values_list("pk", flat=True))
    admin_client.post(
        reverse("admin:books_page_changelist"),
        {"action": "export_txt", "_selected_action": pages[:1]},
    )
    export = Export.objects.get()
    assert (export.scope, export.page_ids) == (Scope.PAGES, pages[:1])
    building.build(export.pk)
    export.refresh_from_db()
    assert read(export).decode().startswith("ANNUAL REPORT 1901\n")
    assert "TWO COLUMNS" not in read(export).decode()


def test_download_needs_the_permission_and_a_live_export(fixed_book, client, django_user_model):
    from django.contrib.auth.models import Permission

    export = export_now(fixed_book, "txt")
    url = reverse("exports:download", args=[export.pk])
    assert client.get(url).status_code == 302  # to the login page
    staff = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_export"))
    client.force_login(django_user_model.objects.get(pk=staff.pk))
    assert client.get(url).status_code == 404  # someone else's export: not theirs to fetch
    listing = client.get(reverse("admin:exports_export_changelist"))
    assert url not in listing.content.decode()
    # Asking for the same file shares the fresh export with them.
    again, created = building.request_export(fixed_book, "txt", user=staff)
    assert not created and again.pk == export.pk
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("admin:exports_export_changelist")).content.decode()
    # A role with view_all_exports fetches anyone's.
    head = django_user_model.objects.create_user("head", password="x", is_staff=True)
    head.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_export", "view_all_exports"])
    )
    client.force_login(head)
    assert client.get(url).status_code == 200
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert client.get(url).status_code == 404


def test_admin_export_with_options_asks_then_exports(fixed_book, admin_client):
    url = reverse("admin:books_book_changelist")
    ask = admin_client.post(
        url, {"action": "export_with_options", "_selected_action": [fixed_book.pk]}
    )
    assert ask.status_code == 200 and b'name="text_source"' in ask.content
    assert not Export.objects.exists()
    admin_client.post(
        url,
        {
            "action": "export_with_options",
            "_selected_action": [fixed_book.pk],
            "apply": "1",
            "format": "alto",
            "text_source": "engine",
            "per_page": "on",
        },
    )
    export = Export.objects.get()
    assert (export.format, export.text_source, export.per_page, export.include_images) == (
        "alto", "engine", True, False,
    )  # fmt: skip


def test_expiry_also_removes_temporary_files_a_killed_worker_left(db, settings, tmp_path):
    import os
    import time

    settings.EXPORT_TEMP_DIR = tmp_path / "export-tmp"
    settings.EXPORT_TEMP_DIR.mkdir()
    old = settings.EXPORT_TEMP_DIR / "export-7-abc"
    recent = settings.EXPORT_TEMP_DIR / "export-8-def"
    old.write_bytes(b"half")
    recent.write_bytes(b"being written")
    stale = time.time() - settings.EXPORT_TTL_HOURS * 3600 - 60
    os.utime(old, (stale, stale))
    building.delete_expired()
    assert not old.exists() and recent.exists()


@pytest.mark.django_db(transaction=True)
def test_admin_action_says_when_the_broker_refused_the_export(
    fixed_book, admin_client, dead_broker
):
    response = admin_client.post(
        reverse("admin:books_book_changelist"),
        {"action": "export_txt", "_selected_action": [fixed_book.pk]},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 1 and "1 export(s) could not be queued" in messages[0]
    assert Export.objects.get().status == ExportStatus.FAILED
