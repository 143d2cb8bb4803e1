"""Multi-page sources become several pages; rotated photos are stored upright."""

from PIL import Image

from books.models import Page
from tests.factories import (
    write_jpeg,
    write_jpeg_rotated,
    write_pdf,
    write_png,
    write_tiff,
)


def _opened(media_root, name):
    with Image.open(media_root / name) as image:
        image.load()
        return image.format, image.size


def test_multi_page_tiff_gives_one_page_per_frame(src, run_import, media_root):
    write_png(src / "p1.png", 1)
    write_tiff(src / "p2.tif", [2, 3, 4])
    write_png(src / "p3.png", 5)

    run = run_import(src)

    assert run.ok, run.stderr
    assert "Pages created: 5 from 3 file(s)" in run.stdout
    pages = list(Page.objects.order_by("sequence"))
    assert [(p.original_name, p.source_frame, p.sequence) for p in pages] == [
        ("p1.png", 0, 1),
        ("p2.tif", 0, 2),
        ("p2.tif", 1, 3),
        ("p2.tif", 2, 4),
        ("p3.png", 0, 5),
    ]
    tiff_pages = pages[1:4]
    assert len({p.sha256 for p in tiff_pages}) == 1  # one source file
    assert len({p.image.name for p in tiff_pages}) == 3
    for page in tiff_pages:
        # TIFF is not shown by browsers: each frame is stored as PNG.
        assert _opened(media_root, page.image.name) == ("PNG", (200, 300))
    # The frames differ: their stored images are not the same bytes.
    contents = {(media_root / p.image.name).read_bytes() for p in tiff_pages}
    assert len(contents) == 3


def test_pdf_gives_one_page_per_pdf_page_at_the_import_dpi(src, run_import, media_root, settings):
    settings.IMPORT_PDF_DPI = 150
    write_pdf(src / "scan.pdf", [1, 2], resolution=100)  # 200x300 px at 100 dpi: 144x216 pt

    run = run_import(src)

    assert run.ok, run.stderr
    pages = list(Page.objects.order_by("sequence"))
    assert [(p.original_name, p.source_frame) for p in pages] == [("scan.pdf", 0), ("scan.pdf", 1)]
    for page in pages:
        # 2 inches x 3 inches at 150 dpi (pdfium may round the last pixel up).
        assert abs(page.width - 300) <= 1 and abs(page.height - 450) <= 1
        assert _opened(media_root, page.image.name) == ("PNG", (page.width, page.height))


def test_pdf_size_follows_the_dpi_setting(src, run_import, settings):
    settings.IMPORT_PDF_DPI = 300
    write_pdf(src / "scan.pdf", [1], resolution=100)

    assert run_import(src).ok

    page = Page.objects.get()
    assert abs(page.width - 600) <= 1 and abs(page.height - 900) <= 1


def test_exif_orientation_is_applied(src, run_import, media_root):
    write_jpeg_rotated(src / "photo.jpg", 1, orientation=6)  # pixels 200x300, shown 300x200

    run = run_import(src)

    assert run.ok, run.stderr
    page = Page.objects.get()
    assert (page.width, page.height) == (300, 200)
    fmt, size = _opened(media_root, page.image.name)
    assert (fmt, size) == ("JPEG", (300, 200))
    with Image.open(media_root / page.image.name) as stored:
        assert stored.getexif().get(0x0112, 1) == 1  # no rotation left to apply
    with Image.open(media_root / page.thumbnail.name) as thumb:
        assert thumb.width > thumb.height


def test_upright_jpeg_is_stored_unchanged(src, run_import, media_root):
    path = write_jpeg(src / "p1.jpg", 1)

    assert run_import(src).ok

    page = Page.objects.get()
    assert page.image.name.endswith(".jpg")
    assert (media_root / page.image.name).read_bytes() == path.read_bytes()
    assert (page.width, page.height) == (200, 300)
