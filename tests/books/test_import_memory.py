"""A long PDF is imported page by page: Python memory does not grow with its page count."""

import tracemalloc

import numpy as np
import pytest
from PIL import Image

from books import importing
from books.models import Book, Volume


def noisy_pdf(path, pages: int):
    rng = np.random.default_rng(pages)
    frames = [
        Image.fromarray(rng.integers(0, 255, (400, 300), dtype=np.uint8)).convert("RGB")
        for _ in range(pages)
    ]
    frames[0].save(path, "PDF", save_all=True, append_images=frames[1:], resolution=100)
    return path.read_bytes()


def peak_bytes_importing(data: bytes, slug: str) -> int:
    volume = Volume.objects.create(book=Book.objects.create(slug=slug, title=slug), sequence=1)
    tracemalloc.start()
    try:
        outcome = importing.add_file(volume, data, original_name=f"{slug}.pdf")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not outcome.error
    return peak


@pytest.mark.django_db
def test_peak_memory_of_a_pdf_import_does_not_grow_with_its_pages(tmp_path, settings):
    settings.IMPORT_PDF_DPI = 100  # noise pages encode to ~350 KB of PNG each
    short = peak_bytes_importing(noisy_pdf(tmp_path / "short.pdf", 3), "short")
    long = peak_bytes_importing(noisy_pdf(tmp_path / "long.pdf", 24), "long")
    # Holding every page's PNG until the end would make the long one ~8x the short one.
    assert long < 2 * short + 2_000_000, (short, long)
