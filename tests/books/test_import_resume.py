"""An interrupted import leaves no half-page behind, and a re-run finishes the job."""

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from books import importing
from books.images import sha256_hex
from books.models import Page, Volume
from tests.factories import page_names, stored_files, write_png, write_tiff


def _five_pages(src):
    return [write_png(src / f"p{number}.png", number) for number in range(1, 6)]


def _crash_on_call(monkeypatch, crash_at: int):
    """Page creation inserts the rows, then the process is interrupted (Ctrl-C) on call N."""
    original = importing._create_pages
    calls = []

    def create_pages(volume, rows, numbers=None):
        calls.append([row.original_name for row in rows])
        if len(calls) != crash_at:
            return original(volume, rows, numbers)
        with transaction.atomic():
            original(volume, rows, numbers)  # the rows are inserted...
            raise KeyboardInterrupt  # ...and the transaction is interrupted before commit

    monkeypatch.setattr(importing, "_create_pages", create_pages)
    return calls


def test_interrupted_batch_leaves_no_row_and_no_stored_file(
    src, run_import, media_root, monkeypatch, settings
):
    settings.IMPORT_COMMIT_PAGES = 2
    files = _five_pages(src)
    calls = _crash_on_call(monkeypatch, crash_at=2)

    with pytest.raises(KeyboardInterrupt):
        run_import(src)

    assert calls == [["p1.png", "p2.png"], ["p3.png", "p4.png"]]
    assert page_names() == ["p1.png", "p2.png"]
    crashed = [sha256_hex(path.read_bytes()) for path in files[2:]]  # p5: read ahead, not stored
    assert not Page.objects.filter(sha256__in=crashed).exists()
    stored = stored_files(media_root)
    assert len(stored) == 4  # two pages, two thumbnails
    assert not any(sha[:20] in name for sha in crashed for name in stored)


def test_rerun_after_an_interruption_completes_the_rest(
    src, run_import, media_root, monkeypatch, settings
):
    settings.IMPORT_COMMIT_PAGES = 2
    _five_pages(src)
    _crash_on_call(monkeypatch, crash_at=2)
    with pytest.raises(KeyboardInterrupt):
        run_import(src)
    monkeypatch.undo()

    run = run_import(src)

    assert run.ok, run.stderr
    assert "Pages created: 3 from 3 file(s); skipped (already imported): 2" in run.stdout
    assert page_names() == ["p1.png", "p2.png", "p3.png", "p4.png", "p5.png"]
    assert list(Page.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]
    assert len(stored_files(media_root)) == 10


def test_files_of_one_import_commit_together_in_file_order(src, run_import, monkeypatch):
    """Rows of many files go in one transaction (the default batch holds 100 pages), each
    file's pages together and numbered in file order."""
    _five_pages(src)
    write_tiff(src / "p6.tif", [6, 7])
    calls = _crash_on_call(monkeypatch, crash_at=0)  # never interrupts

    assert run_import(src).ok

    assert calls == [["p1.png", "p2.png", "p3.png", "p4.png", "p5.png", "p6.tif", "p6.tif"]]
    pages = Page.objects.order_by("sequence")
    assert [(p.sequence, p.original_name, p.source_frame) for p in pages][4:] == [
        (5, "p5.png", 0),
        (6, "p6.tif", 0),
        (7, "p6.tif", 1),
    ]


def test_a_file_whose_pages_exceed_the_batch_is_never_split(src, run_import, monkeypatch, settings):
    settings.IMPORT_COMMIT_PAGES = 2
    write_png(src / "p1.png", 1)
    write_tiff(src / "p2.tif", [2, 3, 4])
    write_png(src / "p3.png", 5)
    calls = _crash_on_call(monkeypatch, crash_at=0)

    assert run_import(src).ok

    assert calls == [["p1.png", "p2.tif", "p2.tif", "p2.tif"], ["p3.png"]]


def _leftovers(volume, path):
    """What a hard crash (power loss) leaves: files at the deterministic names, no row."""
    sha = sha256_hex(path.read_bytes())
    names = [
        importing.storage_name(volume, sha, 0, "png", "pages"),
        importing.storage_name(volume, sha, 0, "jpg", "thumbs"),
    ]
    for name in names:
        target = default_storage.path(name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(b"half-written leftover")
    return names


def test_leftover_of_a_hard_crash_is_replaced_not_duplicated(src, run_import, media_root):
    write_png(src / "p1.png", 1)
    write_png(src / "p2.png", 2)
    assert run_import(src).ok
    volume = Volume.objects.get()
    third = write_png(src / "p3.png", 3)
    leftover_names = _leftovers(volume, third)

    run = run_import(src)

    assert run.ok, run.stderr
    page = Page.objects.get(original_name="p3.png")
    assert [page.image.name, page.thumbnail.name] == leftover_names
    assert (media_root / page.image.name).read_bytes() == third.read_bytes()
    assert (media_root / page.thumbnail.name).read_bytes()[:2] == b"\xff\xd8"
    # Nothing beside them: no "p3_AbCdEf.png"-style second copy, no orphan left.
    assert len(stored_files(media_root)) == 6
    assert set(stored_files(media_root)) == {
        name for p in Page.objects.all() for name in (p.image.name, p.thumbnail.name)
    }


def _orphan(volume, kind, name, age_seconds):
    stored = default_storage.save(
        f"{kind}/{volume.book_id}/{volume.id}/{name}", ContentFile(b"orphan")
    )
    when = time.time() - age_seconds
    os.utime(default_storage.path(stored), (when, when))
    return stored


def test_remove_orphan_files_deletes_old_unreferenced_files_only(src, run_import, media_root):
    write_png(src / "p1.png", 1)
    assert run_import(src).ok
    volume = Volume.objects.get()
    page = Page.objects.get()
    old_page = _orphan(volume, "pages", "old.png", age_seconds=3600)
    old_thumb = _orphan(volume, "thumbs", "old.jpg", age_seconds=3600)
    young = _orphan(volume, "pages", "young.png", age_seconds=5)
    # Referenced files are kept whatever their age.
    for name in (page.image.name, page.thumbnail.name):
        os.utime(default_storage.path(name), (time.time() - 3600,) * 2)

    removed = importing.remove_orphan_files(volume)

    assert sorted(removed) == sorted([old_page, old_thumb])
    assert set(stored_files(media_root)) == {page.image.name, page.thumbnail.name, young}
    assert importing.remove_orphan_files(volume, older_than_seconds=0) == [young]


def test_import_removes_old_orphans_of_its_volumes(src, run_import, media_root):
    write_png(src / "p1.png", 1)
    assert run_import(src).ok
    volume = Volume.objects.get()
    _orphan(volume, "pages", "old.png", age_seconds=3600)

    run = run_import(src)

    assert run.ok, run.stderr
    assert "removed 1 orphan file(s)" in run.stdout
    assert len(stored_files(media_root)) == 2


def test_add_file_skips_content_already_in_the_volume(src, run_import):
    path = write_png(src / "p1.png", 1)
    assert run_import(src).ok
    volume = Volume.objects.get()

    outcome = importing.add_file(volume, path.read_bytes(), original_name="again.png")

    assert outcome.skipped and not outcome.error and outcome.pages == []
    assert Page.objects.count() == 1


def test_a_failed_write_ahead_removes_its_files_and_leaves_writing_to_the_storing_thread(
    db, tmp_path, media_root, monkeypatch
):
    from books.models import Book

    volume = Volume.objects.create(book=Book.objects.create(slug="b", title="B"), sequence=1)
    data = write_png(tmp_path / "p1.png", 1).read_bytes()
    prepared = importing.prepare(data, decode=True)
    real_save, saves = default_storage.save, []

    def save_then_fail(name, content):
        saves.append(name)
        if len(saves) == 2:  # the thumbnail, after the page image was written
            raise OSError(28, "No space left on device")
        return real_save(name, content)

    monkeypatch.setattr(default_storage, "save", save_then_fail)
    ahead = importing._store_ahead(volume, prepared)
    monkeypatch.undo()

    assert ahead.stored == {} and stored_files(media_root) == []
    outcome = importing.add_file(volume, data, original_name="p1.png", prepared=ahead)
    assert outcome.pages and not outcome.error
    assert len(stored_files(media_root)) == 2


def test_staged_rows_commit_once_their_batch_has_waited_long_enough(src, run_import, monkeypatch):
    """A slow source (big PDFs) still shows its pages as they come: the time bound, not the
    page count, closes the batch (here: at once)."""
    write_png(src / "p1.png", 1)
    write_png(src / "p2.png", 2)
    monkeypatch.setattr(importing.PendingRows, "COMMIT_SECONDS", 0.0)
    calls = _crash_on_call(monkeypatch, crash_at=0)

    assert run_import(src).ok

    assert calls == [["p1.png"], ["p2.png"]]
