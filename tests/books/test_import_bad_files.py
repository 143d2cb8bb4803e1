"""Every kind of bad file is reported with its path and reason; the good files still import."""

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from books import images, importing
from books.models import Book, Page, Volume
from tests.factories import (
    page_names,
    stored_files,
    write_jpeg,
    write_png,
    write_png_header_only,
    write_tiff,
    write_truncated,
)

ROOT = Path(__file__).resolve().parents[2]
# Pillow warns between its limit (IMPORT_MAX_PIXELS) and twice it; the app silences that once
# at startup, but pytest restores the warning filters it had before Django was set up.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


def _empty(folder):
    (folder / "bad.jpg").write_bytes(b"")


def _truncated_jpeg(folder):
    write_truncated(folder / "bad.jpg", write_jpeg, 99)


def _truncated_png(folder):
    write_truncated(folder / "bad.png", write_png, 99)


def _tiff_directory_offsets(data: bytes) -> list[int]:
    """Where each frame's directory (IFD) of a classic little- or big-endian TIFF starts."""
    order = "<" if data[:2] == b"II" else ">"
    offsets, offset = [], struct.unpack(order + "I", data[4:8])[0]
    while offset:
        offsets.append(offset)
        count = struct.unpack(order + "H", data[offset : offset + 2])[0]
        end = offset + 2 + 12 * count
        offset = struct.unpack(order + "I", data[end : end + 4])[0]
    return offsets


def _truncated_multipage_tiff(folder):
    """Three frames, cut inside the last frame's directory: the first two still decode."""
    path = write_tiff(folder / "bad.tif", [97, 98, 99])
    data = path.read_bytes()
    path.write_bytes(data[: _tiff_directory_offsets(data)[-1] + 8])


def _text_named_jpg(folder):
    (folder / "bad.jpg").write_text("This is a text file, not a scan.\n")


def _corrupt_pdf(folder):
    (folder / "bad.pdf").write_bytes(b"%PDF-1.7\n this is not really a PDF\n%%EOF\n")


def zero_page_pdf() -> bytes:
    """A well-formed PDF (catalogue, empty page tree, exact xref table) without pages."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _zero_page_pdf(folder):
    (folder / "bad.pdf").write_bytes(zero_page_pdf())


def _decompression_bomb(folder):
    write_png(folder / "bad.png", 99, size=(1200, 1000))  # 1.2 MP > IMPORT_MAX_PIXELS


def _huge_png_header(folder):
    write_png_header_only(folder / "bad.png", 100_000, 100_000)  # claims 10 gigapixels


def _over_upload_max_bytes(folder):
    (folder / "bad.png").write_bytes(os.urandom(300_000))  # > UPLOAD_MAX_BYTES, never read


def _broken_symlink(folder):
    (folder / "bad.jpg").symlink_to(folder / "gone.jpg")


def _unsupported_format(folder):
    from tests.factories import page_image

    page_image(99).save(folder / "bad.jpg", "GIF")


BAD_FILES = {
    "empty": (_empty, "bad.jpg", "empty file (0 bytes)"),
    "truncated-jpeg": (_truncated_jpeg, "bad.jpg", "corrupt or truncated image data"),
    "truncated-png": (_truncated_png, "bad.png", "corrupt or truncated image data"),
    "truncated-multipage-tiff": (_truncated_multipage_tiff, "bad.tif", "truncated"),
    "text-named-jpg": (_text_named_jpg, "bad.jpg", "not an image or PDF"),
    "corrupt-pdf": (_corrupt_pdf, "bad.pdf", "corrupt PDF"),
    "zero-page-pdf": (_zero_page_pdf, "bad.pdf", "PDF has no pages"),
    "decompression-bomb": (_decompression_bomb, "bad.png", "decompression bomb"),
    "huge-png-header": (_huge_png_header, "bad.png", "decompression bomb"),
    "over-upload-max-bytes": (_over_upload_max_bytes, "bad.png", "file too large"),
    "broken-symlink": (_broken_symlink, "bad.jpg", "cannot read file"),
    "gif-named-jpg": (_unsupported_format, "bad.jpg", "unsupported image format GIF"),
}


@pytest.fixture
def limits(settings):
    settings.IMPORT_MAX_PIXELS = 1_000_000
    settings.UPLOAD_MAX_BYTES = 200_000
    return settings


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_file_is_reported_and_the_rest_imported(kind, src, run_import, limits, media_root):
    make, name, reason = BAD_FILES[kind]
    write_png(src / "vol1" / "p1.png", 1)
    make(src / "vol1")
    write_png(src / "vol1" / "p2.png", 2)

    run = run_import(src)

    assert run.error is not None, f"{kind}: the command should fail"
    assert "1 file(s) could not be imported" in str(run.error)
    failed = [line for line in run.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, run.stderr
    assert failed[0].startswith(f"failed: vol1/{name}: ")
    assert reason in failed[0]
    assert "Pages created: 2 from 2 file(s); skipped (already imported): 0; failed: 1" in (
        run.stdout
    )
    assert page_names() == ["p1.png", "p2.png"]
    assert len(stored_files(media_root)) == 4  # nothing stored for the bad file


def test_all_bad_files_in_one_folder(src, run_import, limits, media_root):
    for number, (make, _name, _reason) in enumerate(BAD_FILES.values()):
        folder = src / f"case{number:02d}"
        folder.mkdir()
        make(folder)
    write_png(src / "case99" / "good.png", 1)

    run = run_import(src)

    assert f"{len(BAD_FILES)} file(s) could not be imported" in str(run.error)
    for number, (_make, name, reason) in enumerate(BAD_FILES.values()):
        assert f"failed: case{number:02d}/{name}: " in run.stderr
        assert reason in run.stderr
    assert page_names() == ["good.png"]
    assert len(stored_files(media_root)) == 2


@pytest.mark.parametrize("kind", [kind for kind in BAD_FILES if kind != "broken-symlink"])
def test_add_file_returns_the_reason_instead_of_raising(kind, tmp_path, limits, media_root, db):
    """The service used by uploads and the API: a bad file is an outcome, never an exception."""
    make, name, reason = BAD_FILES[kind]
    make(tmp_path)
    book = Book.objects.create(slug="b", title="B")
    volume = Volume.objects.create(book=book, sequence=1)

    outcome = importing.add_file(volume, (tmp_path / name).read_bytes(), original_name=name)

    assert reason in outcome.error
    assert outcome.pages == [] and not outcome.skipped
    assert not Page.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_every_truncation_of_a_multipage_tiff_is_a_bad_file_or_all_its_pages(tmp_path):
    """Cut anywhere, a TIFF gives all its frames or BadFile: never another error, never fewer."""
    data = write_tiff(tmp_path / "book.tif", [1, 2, 3]).read_bytes()
    limits = images.DecodeLimits(max_pixels=10_000_000, pdf_dpi=300, thumbnail_size=64)
    outcomes = set()
    for cut in range(1, len(data)):
        try:
            frames = [page.frame for page in images.decode_pages(data[:cut], limits)]
        except images.BadFile as error:
            assert str(error), cut
            outcomes.add("bad")
        else:
            assert frames == [0, 1, 2], f"cut at {cut} of {len(data)} bytes gave frames {frames}"
            outcomes.add("whole")
    assert "bad" in outcomes


JPEG_LIMITS = images.DecodeLimits(max_pixels=10_000_000, pdf_dpi=300, thumbnail_size=64)


@pytest.mark.parametrize("options", [{}, {"progressive": True}, {"comment": b"x\xff\xd9y"}])
def test_every_truncation_of_a_jpeg_is_a_bad_file(tmp_path, options):
    """Stored as it came without decoding, a JPEG cut anywhere is still refused; an end
    marker's bytes inside a header segment (here a comment) do not hide the cut."""
    data = write_jpeg(tmp_path / "p.jpg", 1, **options).read_bytes()
    assert [page.data for page in images.decode_pages(data, JPEG_LIMITS)] == [data]
    for cut in range(1, len(data), 7):
        with pytest.raises(images.BadFile) as refused:  # cut in the headers: Pillow refuses
            list(images.decode_pages(data[:cut], JPEG_LIMITS))
        if cut > len(data) // 2:
            assert "corrupt or truncated image data" in str(refused.value), cut
    with pytest.raises(images.BadFile, match="end marker"):
        list(images.decode_pages(data[:-2], JPEG_LIMITS))


def test_jpeg_with_bytes_after_its_end_marker_imports_as_it_came(tmp_path):
    """Some scanners pad their files; the image itself is whole."""
    data = write_jpeg(tmp_path / "p.jpg", 1).read_bytes() + b"\x00" * 100

    (page,) = images.decode_pages(data, JPEG_LIMITS)

    assert page.data == data and page.extension == "jpg" and page.thumbnail is None


def test_unexpected_error_reading_a_file_is_its_failure_reason(tmp_path):
    """The reader threads turn any error into the file's reason; the import goes on."""
    reason = importing._read_file(tmp_path / "name\0with-nul.png", set())

    assert isinstance(reason, str)
    assert "cannot read file" in reason and "null" in reason


def test_bad_file_is_retried_on_the_next_run(src, run_import):
    bad = src / "p1.png"
    bad.write_bytes(b"")
    assert run_import(src).error is not None

    write_png(bad, 1)  # the librarian rescans the page
    run = run_import(src)

    assert run.ok, run.stderr
    assert page_names() == ["p1.png"]


# --- Unreadable files and the exit status, through a real ``manage.py`` process ------------


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def _without_file_capabilities() -> list[str]:
    """As root, reading ignores file modes; drop the capabilities that let it (or skip)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, where chmod 000 does not stop reading, and no setpriv")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


@pytest.mark.django_db(transaction=True)
def test_unreadable_file_fails_the_command_with_a_non_zero_exit(src, media_root, settings):
    prefix = _without_file_capabilities()
    write_png(src / "p1.png", 1)
    locked = write_png(src / "p2.png", 2)
    locked.chmod(0)
    write_png(src / "p3.png", 3)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media_root),
    }
    try:
        result = subprocess.run(
            [*prefix, sys.executable, str(ROOT / "manage.py"), "import_directory", str(src)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        locked.chmod(0o644)

    assert result.returncode == 1, result.stderr
    assert "failed: p2.png: permission denied" in result.stderr
    assert "1 file(s) could not be imported" in result.stderr
    assert "Traceback" not in result.stderr
    assert page_names() == ["p1.png", "p3.png"]
    assert Page.objects.count() == 2


def test_a_pdf_without_pages_says_so_after_another_pdf_failed():
    """PDFium leaves the previous failure's error in place when it refuses an empty PDF."""
    with pytest.raises(images.BadFile, match="corrupt PDF"):
        list(images.decode_pages(b"%PDF-1.7\n not a PDF\n%%EOF\n", JPEG_LIMITS))
    with pytest.raises(images.BadFile) as refused:
        list(images.decode_pages(zero_page_pdf(), JPEG_LIMITS))
    assert str(refused.value) == "PDF has no pages"


def test_every_file_found_is_imported_or_named_with_why_not(src, run_import):
    book = src / "vol1"
    write_png(book / "p1.png", 1)
    (book / "\u202egnp.exe").write_bytes(b"MZ not a page")  # shows as "exe.png"
    (book / "notes.txt").write_text("scanned 2024")
    (book / "README").write_text("")
    (book / ".DS_Store").write_bytes(b"\0")
    (book / ".git").mkdir()
    (book / ".git" / "HEAD").write_text("ref")
    (src / "book.json").write_text('{"title": "Report"}')  # the sidecar: read, not a page

    planned = run_import(src, "--dry-run")
    run = run_import(src)

    expected = {
        "vol1/\\u202egnp.exe: not a page by its name (a .exe file); --pattern imports other names",
        "vol1/notes.txt: not a page by its name (a .txt file); --pattern imports other names",
        "vol1/README: not a page by its name (no file extension); --pattern imports other names",
        "vol1/.DS_Store: hidden file",
        "vol1/.git: hidden folder, not read",
    }
    reported = {
        line.removeprefix("not imported: ")
        for line in run.stderr.splitlines()
        if line.startswith("not imported: ")
    }
    assert reported == expected
    assert "\u202e" not in run.stderr + planned.stdout
    assert {f"  not imported: {line}" for line in expected} <= set(planned.stdout.splitlines())
    assert "failed: 0; not page files: 5" in run.stdout and run.error is None
    assert page_names() == ["p1.png"]
