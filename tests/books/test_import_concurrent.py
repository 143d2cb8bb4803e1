"""Two imports of the same content into one volume: the second skips it and harms nothing.

Each import holds its own snapshot of the volume's content (``known``), taken when it
started; the other import commits the same file meanwhile. The interleavings are replayed
deterministically in one process, on the real database and storage.
"""

import pytest

from books import importing
from books.models import Book, Page, Volume
from tests.factories import stored_files, write_png, write_tiff


@pytest.fixture
def volume(db):
    book = Book.objects.create(slug="b", title="B")
    return Volume.objects.create(book=book, sequence=1)


def _other_import_commits(volume, data):
    """Another process adds the same file, knowing nothing of ours (its own empty snapshot)."""
    outcome = importing.add_file(volume, data, original_name="other.png", known=set())
    assert outcome.pages and not outcome.error
    return outcome


def _assert_only_the_other_import_is_kept(volume, data, media_root):
    pages = list(Page.objects.filter(volume=volume))
    assert {page.original_name for page in pages} == {"other.png"}
    referenced = sorted(name for p in pages for name in (p.image.name, p.thumbnail.name))
    assert stored_files(media_root) == referenced  # every committed file is still there
    for page in pages:
        assert (media_root / page.thumbnail.name).read_bytes()[:2] == b"\xff\xd8"
        assert (media_root / page.image.name).stat().st_size > 0


@pytest.mark.parametrize("kind", ["png", "tiff"])
def test_content_committed_between_prepare_and_store_is_skipped(kind, tmp_path, volume, media_root):
    if kind == "png":
        data = write_png(tmp_path / "p.png", 1).read_bytes()
    else:
        data = write_tiff(tmp_path / "p.tif", [1, 2]).read_bytes()
    known: set = set()  # our snapshot, taken before the other import committed
    prepared = importing.prepare(data, decode=True)
    _other_import_commits(volume, data)

    outcome = importing.add_file(
        volume, data, original_name="mine.png", known=known, prepared=prepared
    )

    assert outcome.skipped and not outcome.error and outcome.pages == []
    _assert_only_the_other_import_is_kept(volume, data, media_root)


def test_content_committed_between_store_and_insert_is_skipped(
    tmp_path, volume, media_root, monkeypatch
):
    """Our files are written; the other import commits the same names; our insert conflicts."""
    data = write_png(tmp_path / "p.png", 1).read_bytes()
    original = importing._create_pages
    calls = []

    def other_commits_first(target, rows, numbers=None):
        calls.append(rows[0].original_name)
        if len(calls) == 1:  # our insert: the other import commits just before it
            _other_import_commits(target, data)
        return original(target, rows, numbers)

    monkeypatch.setattr(importing, "_create_pages", other_commits_first)

    outcome = importing.add_file(volume, data, original_name="mine.png", known=set())

    assert calls == ["mine.png", "other.png"]
    assert outcome.skipped and not outcome.error and outcome.pages == []
    _assert_only_the_other_import_is_kept(volume, data, media_root)


def test_import_goes_on_after_a_file_another_import_committed(src, volume, media_root, monkeypatch):
    """Through the folder import: another import commits one of our files just before our
    batch does; the batch is committed file by file, the duplicate counted as skipped."""
    for number in range(1, 4):
        write_png(src / f"p{number}.png", number)
    second = (src / "p2.png").read_bytes()
    book = volume.book
    book.source_directory = importing.display_name(str(src.resolve()))
    book.save()
    volume.source_directory = ""
    volume.save()
    plans = importing.plan_directory(src)
    original = importing._create_pages
    calls = []

    def other_commits_first(target, rows, numbers=None):
        calls.append([row.original_name for row in rows])
        if len(calls) == 1:  # our batch, its files written: the other import commits p2
            _other_import_commits(volume, second)
        return original(target, rows, numbers)

    monkeypatch.setattr(importing, "_create_pages", other_commits_first)

    summary = importing.import_plans(plans)

    assert calls == [
        ["p1.png", "p2.png", "p3.png"],
        ["other.png"],
        ["p1.png"],
        ["p2.png"],
        ["p3.png"],
    ]
    assert summary.ok, summary.failures
    assert (summary.files_imported, summary.files_skipped) == (2, 1)
    pages = Page.objects.filter(volume=volume).order_by("sequence")
    assert [p.original_name for p in pages] == ["other.png", "p1.png", "p3.png"]
    assert summary.page_ids == [pages[1].pk, pages[2].pk]
    assert stored_files(media_root) == sorted(
        name for p in pages for name in (p.image.name, p.thumbnail.name)
    )


def test_pages_appended_by_another_writer_mid_import_are_numbered_around(
    tmp_path, volume, media_root
):
    """Our import counts page numbers on; another writer took the next one meanwhile."""
    numbers = importing.PageNumbers(volume)
    files = [write_png(tmp_path / f"p{n}.png", n).read_bytes() for n in range(1, 4)]

    first = importing.add_file(volume, files[0], original_name="p1.png", numbers=numbers)
    _other_import_commits(volume, files[1])  # takes number 2, which we would have used
    third = importing.add_file(volume, files[2], original_name="p3.png", numbers=numbers)

    assert first.pages and third.pages and not third.error
    pages = Page.objects.filter(volume=volume).order_by("sequence")
    assert [(p.sequence, p.original_name) for p in pages] == [
        (1, "p1.png"),
        (2, "other.png"),
        (3, "p3.png"),
    ]
    assert numbers.last == 3


def test_storing_a_file_of_a_numbered_volume_is_one_insert(tmp_path, volume, media_root):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    numbers = importing.PageNumbers(volume)
    files = [write_png(tmp_path / f"p{n}.png", n).read_bytes() for n in range(1, 3)]
    importing.add_file(volume, files[0], original_name="p1.png", known=set(), numbers=numbers)
    prepared = importing.prepare(files[1], decode=True)

    with CaptureQueriesContext(connection) as queries:
        outcome = importing.add_file(
            volume,
            files[1],
            original_name="p2.png",
            known=set(),
            prepared=prepared,
            numbers=numbers,
        )

    assert outcome.pages and outcome.pages[0].sequence == 2
    statements = [q["sql"] for q in queries.captured_queries]
    writes = [sql for sql in statements if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) == 1 and writes[0].startswith("INSERT"), statements
