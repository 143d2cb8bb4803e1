"""``import_directory``: what becomes a book, a volume and a page, in which order."""

import pytest

from books import importing
from books.models import Book, Page, TextDirection, Volume
from tests.factories import page_names, stored_files, write_jpeg, write_png


def test_pages_are_in_natural_order(src, run_import):
    for number in (10, 2, 1, 11, 3):
        write_png(src / f"p{number}.png", number)

    run = run_import(src)

    assert run.ok, run.stderr
    assert page_names() == ["p1.png", "p2.png", "p3.png", "p10.png", "p11.png"]
    assert list(Page.objects.order_by("sequence").values_list("sequence", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_volumes_are_in_natural_order(src, run_import):
    for number in (10, 2, 1):
        write_png(src / f"vol{number}" / "page.png", number)

    assert run_import(src).ok

    volumes = Volume.objects.order_by("sequence")
    assert [v.label for v in volumes] == ["vol1", "vol2", "vol10"]
    assert [v.source_directory for v in volumes] == ["vol1", "vol2", "vol10"]


def test_loose_files_form_the_first_volume_before_sub_folders(src, run_import):
    write_png(src / "cover.png", 1)
    write_png(src / "a-vol" / "p1.png", 2)

    assert run_import(src).ok

    book = Book.objects.get()
    assert [(v.sequence, v.label, v.source_directory) for v in book.volumes.all()] == [
        (1, "src", ""),
        (2, "a-vol", "a-vol"),
    ]


def test_upper_case_extensions_match_lower_case_patterns(src, run_import):
    write_jpeg(src / "p1.JPG", 1)
    write_jpeg(src / "p2.Jpeg", 2)
    write_png(src / "p3.PNG", 3)

    run = run_import(src, patterns=["*.jpg"])

    assert run.ok, run.stderr
    assert page_names() == ["p1.JPG"]
    run = run_import(src)  # the default patterns: every supported type, any case
    assert page_names() == ["p1.JPG", "p2.Jpeg", "p3.PNG"]


def test_pattern_is_repeatable(src, run_import):
    write_jpeg(src / "p1.jpg", 1)
    write_png(src / "p2.png", 2)
    write_png(src / "p3.tif.png", 3)
    (src / "notes.txt").write_text("not a page")

    run = run_import(src, "--pattern", "*.jpg", "--pattern", "p2.*")

    assert run.ok, run.stderr
    assert page_names() == ["p1.jpg", "p2.png"]


def test_files_that_match_no_pattern_are_ignored(src, run_import):
    write_png(src / "p1.png", 1)
    (src / "notes.txt").write_text("not a page")
    (src / ".hidden.png").write_bytes(b"ignored: hidden")

    run = run_import(src)

    assert run.ok, run.stderr
    assert page_names() == ["p1.png"]


def test_nested_folders_belong_to_their_volume(src, run_import):
    write_png(src / "vol1" / "p1.png", 1)
    write_png(src / "vol1" / "part2" / "p2.png", 2)
    write_png(src / "vol1" / "part2" / "deeper" / "p3.png", 3)
    write_png(src / "vol2" / "p1.png", 4)

    assert run_import(src).ok

    assert Volume.objects.count() == 2
    vol1 = Volume.objects.get(label="vol1")
    assert list(vol1.pages.values_list("source_path", flat=True)) == [
        "vol1/p1.png",
        "vol1/part2/deeper/p3.png",
        "vol1/part2/p2.png",
    ]


def test_no_recursive_ignores_nested_folders(src, run_import):
    write_png(src / "vol1" / "p1.png", 1)
    write_png(src / "vol1" / "part2" / "p2.png", 2)

    run = run_import(src, "--no-recursive")

    assert run.ok, run.stderr
    assert page_names() == ["p1.png"]


def test_books_makes_each_sub_folder_a_book(src, run_import):
    write_png(src / "Book B" / "p1.png", 1)
    write_png(src / "Book A" / "vol1" / "p1.png", 2)
    write_png(src / "Book A" / "vol2" / "p1.png", 3)
    write_png(src / "loose.png", 4)  # not in a book folder: ignored with --books

    run = run_import(src, "--books")

    assert run.ok, run.stderr
    books = {book.title: book for book in Book.objects.all()}
    assert sorted(books) == ["Book A", "Book B"]
    assert books["Book A"].volumes.count() == 2
    assert books["Book B"].volumes.count() == 1
    assert Page.objects.count() == 3
    assert books["Book A"].source_directory == str((src / "Book A").resolve())
    assert "Books created: 2, volumes created: 3" in run.stdout


def test_books_refuses_book_and_title(src, run_import):
    write_png(src / "b" / "p1.png", 1)
    assert "--books" in str(run_import(src, "--books", "--title", "T").error)
    assert "--books" in str(run_import(src, "--books", "--book", "x").error)
    assert not Book.objects.exists()


@pytest.mark.parametrize("by", ["slug", "id"])
def test_book_adds_to_an_existing_book(src, run_import, by):
    book = Book.objects.create(slug="existing", title="Existing", language="en")
    Volume.objects.create(book=book, sequence=1, label="Already there")
    write_png(src / "vol1" / "p1.png", 1)
    write_png(src / "vol2" / "p1.png", 2)

    run = run_import(src, "--book", book.slug if by == "slug" else str(book.pk))

    assert run.ok, run.stderr
    assert Book.objects.count() == 1
    assert list(book.volumes.values_list("sequence", "label")) == [
        (1, "Already there"),
        (2, "vol1"),
        (3, "vol2"),
    ]
    assert Page.objects.filter(volume__book=book).count() == 2


def test_unknown_book_is_an_error(src, run_import):
    write_png(src / "p1.png", 1)
    run = run_import(src, "--book", "nope")
    assert "no book" in str(run.error) and "nope" in str(run.error)
    assert not Page.objects.exists()


def test_title_names_the_new_book(src, run_import):
    write_png(src / "p1.png", 1)

    assert run_import(src, "--title", "詩經 (Book of Songs)").ok

    book = Book.objects.get()
    assert book.title == "詩經 (Book of Songs)"
    assert book.slug == "詩經-book-of-songs"


def test_same_title_twice_gets_a_unique_slug(tmp_path, run_import):
    write_png(tmp_path / "one" / "p1.png", 1)
    write_png(tmp_path / "two" / "p1.png", 2)

    assert run_import(tmp_path / "one", "--title", "Same").ok
    assert run_import(tmp_path / "two", "--title", "Same").ok

    assert sorted(Book.objects.values_list("slug", flat=True)) == ["same", "same-2"]


def test_text_direction_and_language_of_new_books(src, run_import):
    write_png(src / "p1.png", 1)

    assert run_import(src, "--text-direction", "vertical", "--lang", "chinese_cht").ok

    book = Book.objects.get()
    assert book.text_direction == TextDirection.VERTICAL
    assert book.language == "chinese_cht"


def test_text_direction_must_be_a_known_choice(src, run_import):
    write_png(src / "p1.png", 1)
    run = run_import(src, "--text-direction", "diagonal")
    assert "invalid choice" in str(run.error)
    assert not Book.objects.exists()


def test_dry_run_writes_nothing(src, run_import, media_root):
    write_png(src / "vol1" / "p1.png", 1)
    write_png(src / "vol1" / "p2.png", 2)
    write_png(src / "vol2" / "p1.png", 3)

    run = run_import(src, "--dry-run")

    assert run.ok, run.stderr
    assert "volume 1: vol1 (2 files)" in run.stdout
    assert "vol2/p1.png" in run.stdout
    assert "Dry run: 1 book(s), 3 file(s); nothing was written." in run.stdout
    assert not Book.objects.exists() and not Volume.objects.exists()
    assert stored_files(media_root) == []


def test_empty_folder_imports_nothing(src, run_import):
    run = run_import(src)
    assert run.ok
    assert "No matching files" in run.stderr
    assert not Book.objects.exists()


def test_missing_folder_is_an_error(tmp_path, run_import):
    run = run_import(tmp_path / "absent")
    assert "not a directory" in str(run.error)


def test_rerun_imports_nothing_new_and_counts_skipped_files(src, run_import, media_root):
    for number in range(1, 4):
        write_png(src / f"p{number}.png", number)
    first = run_import(src)
    assert "Pages created: 3 from 3 file(s); skipped (already imported): 0" in first.stdout
    files_after_first = stored_files(media_root)

    second = run_import(src)

    assert second.ok, second.stderr
    assert "Books created: 0, volumes created: 0" in second.stdout
    assert "Pages created: 0 from 0 file(s); skipped (already imported): 3" in second.stdout
    assert Book.objects.count() == 1 and Volume.objects.count() == 1
    assert Page.objects.count() == 3
    assert stored_files(media_root) == files_after_first


def test_rerun_adds_only_new_files_at_the_end(src, run_import):
    write_png(src / "p1.png", 1)
    write_png(src / "p3.png", 3)
    assert run_import(src).ok
    write_png(src / "p2.png", 2)

    run = run_import(src)

    assert "Pages created: 1 from 1 file(s); skipped (already imported): 2" in run.stdout
    # Existing pages keep their numbers; the new file is appended.
    assert page_names() == ["p1.png", "p3.png", "p2.png"]


def test_duplicate_content_in_a_volume_is_stored_once(src, run_import):
    write_png(src / "p1.png", 1)
    (src / "p1-copy.png").write_bytes((src / "p1.png").read_bytes())

    run = run_import(src)

    assert "Pages created: 1 from 1 file(s); skipped (already imported): 1" in run.stdout


def test_pages_record_where_they_came_from(src, run_import, media_root):
    path = write_png(src / "vol1" / "p1.png", 1)

    assert run_import(src).ok

    page = Page.objects.get()
    assert page.source_path == "vol1/p1.png"
    assert page.original_name == "p1.png"
    assert page.sha256 == importing.images.sha256_hex(path.read_bytes())
    assert (page.width, page.height) == (200, 300)
    assert page.image.name == importing.storage_name(page.volume, page.sha256, 0, "png", "pages")
    assert (media_root / page.image.name).read_bytes() == path.read_bytes()
    assert (media_root / page.thumbnail.name).read_bytes()[:2] == b"\xff\xd8"  # a JPEG


def test_service_plans_without_writing(src):
    write_png(src / "vol10" / "p1.png", 1)
    write_png(src / "vol2" / "p10.png", 2)
    write_png(src / "vol2" / "p9.png", 3)

    [plan] = importing.plan_directory(src)

    assert [v.label for v in plan.volumes] == ["vol2", "vol10"]
    assert [p.name for p in plan.volumes[0].files] == ["p9.png", "p10.png"]
    assert plan.file_count == 3


def test_ocr_queues_the_new_pages(src, run_import, django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    from ocr.models import OcrRun

    write_png(src / "p1.png", 1)
    write_png(src / "p2.png", 2)

    with django_capture_on_commit_callbacks(execute=True):
        run = run_import(src, "--ocr")

    assert run.ok, run.stderr
    assert "2 page(s) queued for recognition" in run.stdout
    assert "[" not in run.stdout  # a count, not the list of page ids
    pages = list(Page.objects.order_by("pk"))
    assert {page.status for page in pages} == {"queued"}
    assert sorted(OcrRun.objects.values_list("page_id", flat=True)) == [p.pk for p in pages]
    assert OrmQ.objects.count() == 2  # handed to the ORM broker for a worker

    write_png(src / "p3.png", 3)
    with django_capture_on_commit_callbacks(execute=True):
        rerun = run_import(src, "--ocr")

    assert rerun.ok, rerun.stderr
    assert "1 page(s) queued for recognition" in rerun.stdout
    new = Page.objects.get(original_name="p3.png")
    assert new.status == "queued"
    assert OcrRun.objects.filter(page=new).count() == 1
    assert OcrRun.objects.count() == 3  # the first two pages were not queued twice


def test_without_ocr_nothing_is_queued(src, run_import):
    from ocr.models import OcrRun

    write_png(src / "p1.png", 1)

    run = run_import(src)

    assert run.ok, run.stderr
    assert "queued" not in run.stdout
    assert Page.objects.get().status == "new"
    assert not OcrRun.objects.exists()
