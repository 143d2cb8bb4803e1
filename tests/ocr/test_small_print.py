"""Small print on a large scan, read by the real engine: a second, larger detection pass
finds the lines the first one (at 1920 px) loses, and ordinary pages are detected once."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ocr.configuration import engine_config
from ocr.engine import get_engine
from ocr.evaluation import score
from tests.ocr.factories import ENGLISH_PAGE

pytestmark = pytest.mark.slow

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
WORDS = [
    "the",
    "county",
    "council",
    "met",
    "on",
    "tuesday",
    "to",
    "hear",
    "the",
    "surveyor",
    "report",
    "on",
    "roads",
    "bridges",
    "and",
    "the",
    "new",
    "school",
    "house",
    "while",
    "farmers",
    "asked",
    "for",
    "lower",
    "rates",
    "and",
    "a",
    "market",
    "on",
    "saturdays",
]


def small_print_column(size: int = 13, lines: int = 150) -> tuple[Image.Image, str]:
    """A newspaper column in 13 px type on a tall 300-dpi strip, scanned: blur and noise."""
    if not FONT.is_file():
        pytest.skip("fonts-dejavu-core is not installed")
    face = ImageFont.truetype(str(FONT), size)
    image = Image.new("L", (640, 80 + lines * 21), 245)
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(7)
    truth = []
    for n in range(lines):
        text = " ".join(rng.choice(WORDS, 8))
        draw.text((40, 40 + 21 * n), text, font=face, fill=25)
        truth.append(text)
    pixels = np.asarray(image.filter(ImageFilter.GaussianBlur(0.6)), dtype=np.float32)
    pixels += rng.normal(0, 6, pixels.shape)
    scanned = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB")
    return scanned, "\n".join(truth)


def engine(min_text_px: int):
    return get_engine(dataclasses.replace(engine_config(), det_min_text_px=min_text_px))


def read(engine_, image) -> str:
    return "\n".join(line.text for line in engine_.recognize(image))


def test_small_print_is_found_by_a_second_larger_pass(ocr_models):
    image, truth = small_print_column()
    assert max(image.size) > 3000  # shrunk to 1920 px, its lines are ~7 px high

    once = engine(0)
    one_pass = score(read(once, image), truth)
    twice = engine(16)
    two_passes = score(read(twice, image), truth)

    assert once.last_detection_side == 1920
    assert twice.last_detection_side > 1920
    assert two_passes.recall >= 0.99, f"{two_passes.recall:.2%}"
    assert two_passes.recall > one_pass.recall, (one_pass.recall, two_passes.recall)


def test_a_large_scan_of_ordinary_print_is_detected_once(ocr_models):
    page = Image.open(ENGLISH_PAGE)
    large = page.resize((page.width * 3, page.height * 3))  # a 900-dpi scan of a book page
    twice = engine(16)
    twice.recognize(large)
    assert twice.last_detection_side == 1920
