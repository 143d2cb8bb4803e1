"""File names as scanners and old file systems write them: any bytes, any Unicode form."""

import os
import unicodedata

from books.models import Book, Page, Volume
from tests.factories import page_names, write_bytes_name, write_png

NOT_UTF8_WARNING = "file name is not valid UTF-8; stored with replacement characters"


def test_non_utf8_file_name_warns_but_imports(src, run_import):
    write_png(src / "p1.png", 1)
    write_bytes_name(src, b"caf\xe9.png", 2)  # Latin-1 "café"

    run = run_import(src)

    assert run.ok, run.stderr
    assert f"warning: caf\ufffd.png: {NOT_UTF8_WARNING}" in run.stderr
    assert "failed:" not in run.stderr
    assert page_names() == ["caf\ufffd.png", "p1.png"]
    page = Page.objects.get(original_name="caf\ufffd.png")
    assert page.source_path == "caf\ufffd.png"
    assert (page.width, page.height) == (200, 300)


def test_non_utf8_name_is_not_reimported(src, run_import):
    write_bytes_name(src, b"caf\xe9.png", 1)
    assert run_import(src).ok

    run = run_import(src)

    assert "Pages created: 0 from 0 file(s); skipped (already imported): 1" in run.stdout
    assert Page.objects.count() == 1


def test_non_utf8_folder_names(src, run_import):
    write_bytes_name(src, b"vol\xe91/p1.png", 1)
    write_png(src / "vol2" / "p1.png", 2)

    run = run_import(src)

    assert run.ok, run.stderr
    assert sorted(Volume.objects.values_list("label", flat=True)) == ["vol2", "vol\ufffd1"]
    assert Page.objects.get(volume__label="vol\ufffd1").source_path == "vol\ufffd1/p1.png"


def test_non_utf8_book_folder_with_books(src, run_import):
    write_bytes_name(src, b"Livre \xe9t\xe9/p1.png", 1)
    write_png(src / "Book" / "p1.png", 2)

    run = run_import(src, "--books")

    assert run.ok, run.stderr
    assert sorted(Book.objects.values_list("title", flat=True)) == ["Book", "Livre \ufffdt\ufffd"]
    assert Page.objects.count() == 2
    # A re-run finds the same book again instead of creating a second one.
    again = run_import(src, "--books")
    assert again.ok, again.stderr
    assert Book.objects.count() == 2
    assert "skipped (already imported): 2" in again.stdout


def test_unicode_names_are_stored_in_nfc(src, run_import):
    nfd = unicodedata.normalize("NFD", "café.png")
    nfc = unicodedata.normalize("NFC", "naïve.png")
    assert nfd != "café.png"
    write_png(src / nfd, 1)
    write_png(src / nfc, 2)

    assert run_import(src).ok

    assert page_names() == ["café.png", "naïve.png"]
    for name in page_names():
        assert unicodedata.is_normalized("NFC", name)


def test_emoji_spaces_and_cjk_names(src, run_import):
    names = ["📖 page 1.png", "page 2 (final copy).png", "第3頁.png", " leading space 4.png"]
    for number, name in enumerate(names, start=1):
        write_png(src / name, number)

    run = run_import(src)

    assert run.ok, run.stderr
    assert run.stderr == ""  # no warnings: these are valid UTF-8
    assert sorted(page_names()) == sorted(names)


def test_nfd_folder_name_matches_on_rerun(src, run_import):
    folder = src / unicodedata.normalize("NFD", "Bände")
    write_png(folder / "p1.png", 1)
    assert run_import(src).ok
    write_png(folder / "p2.png", 2)

    run = run_import(src)

    assert run.ok, run.stderr
    assert Volume.objects.count() == 1
    assert Volume.objects.get().label == "Bände"
    assert page_names() == ["p1.png", "p2.png"]


def test_name_bytes_round_trip_for_the_warning(src):
    """The helper writes the raw bytes, not a re-encoded name."""
    path = write_bytes_name(src, b"caf\xe9.png", 1)
    assert os.path.basename(path) in os.listdir(os.fsencode(src))
