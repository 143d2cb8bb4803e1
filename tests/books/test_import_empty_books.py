"""An import whose files all fail leaves no empty book or volume behind."""

from books.models import Book, Volume
from tests.factories import page_names, stored_files, write_png


def _bad(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")  # empty file: refused


def test_new_book_whose_files_all_fail_is_not_created(src, run_import, media_root):
    _bad(src / "p1.png")
    _bad(src / "vol2" / "p1.png")

    run = run_import(src)

    assert "2 file(s) could not be imported" in str(run.error)
    assert "Books created: 0, volumes created: 0" in run.stdout
    assert not Book.objects.exists() and not Volume.objects.exists()
    assert stored_files(media_root) == []

    # The librarian replaces the files: the book is created then, once.
    write_png(src / "p1.png", 1)
    write_png(src / "vol2" / "p1.png", 2)
    assert run_import(src).ok
    assert Book.objects.count() == 1
    assert list(Volume.objects.values_list("sequence", "label")) == [(1, "src"), (2, "vol2")]


def test_volume_whose_files_all_fail_is_not_created_and_numbers_stay_dense(src, run_import):
    write_png(src / "vol1" / "p1.png", 1)
    _bad(src / "vol2" / "p1.png")
    write_png(src / "vol3" / "p1.png", 3)

    run = run_import(src)

    assert "1 file(s) could not be imported" in str(run.error)
    assert "Books created: 1, volumes created: 2" in run.stdout
    book = Book.objects.get()
    assert list(book.volumes.values_list("sequence", "label")) == [(1, "vol1"), (2, "vol3")]


def test_existing_book_is_kept_when_its_new_files_all_fail(src, run_import):
    write_png(src / "vol1" / "p1.png", 1)
    assert run_import(src).ok
    _bad(src / "vol2" / "p1.png")

    run = run_import(src)

    assert "1 file(s) could not be imported" in str(run.error)
    assert "Books created: 0, volumes created: 0" in run.stdout
    book = Book.objects.get()
    assert list(book.volumes.values_list("label", flat=True)) == ["vol1"]
    assert page_names() == ["p1.png"]


def test_existing_book_named_with_book_is_kept(src, run_import):
    book = Book.objects.create(slug="kept", title="Kept")
    _bad(src / "p1.png")

    run = run_import(src, "--book", "kept")

    assert run.error is not None
    assert Book.objects.get() == book
    assert not Volume.objects.exists()


def test_books_folder_without_importable_files_makes_no_book(src, run_import):
    write_png(src / "Book A" / "p1.png", 1)
    (src / "Book B").mkdir()
    (src / "Book B" / "notes.txt").write_text("not a scan")
    _bad(src / "Book C" / "p1.png")

    run = run_import(src, "--books")

    assert "1 file(s) could not be imported" in str(run.error)
    assert list(Book.objects.values_list("title", flat=True)) == ["Book A"]
    assert Volume.objects.count() == 1
    assert "warning: Book B: no importable file; no book created" in run.stderr
    assert "Books created: 1, volumes created: 1" in run.stdout
