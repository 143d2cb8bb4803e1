"""``manage.py ocr_check``: load the configured models and read the bundled sample page."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from ocr import layout
from ocr.configuration import engine_config
from ocr.engine import EngineUnavailable, get_engine
from ocr.provisioning import ModelsMissing
from ocr.recognition import read_page

SAMPLE_PAGE = Path(settings.BASE_DIR) / "samples/books/annual-report-1901/page-1.png"


class Command(BaseCommand):
    help = "Check that OCR works here: load the models and recognize a sample page."

    def add_arguments(self, parser):
        parser.add_argument("image", nargs="?", type=Path, default=SAMPLE_PAGE)
        parser.add_argument("--quiet", action="store_true", help="print only failures")

    def handle(self, *args, **options):
        config = engine_config()
        started = time.perf_counter()
        try:
            get_engine(config)  # load first, so loading and reading are timed apart
        except (ModelsMissing, EngineUnavailable) as error:
            raise CommandError(str(error)) from None
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        with Image.open(options["image"]) as image:
            lines = read_page(image.convert("RGB"), config)  # what the workers run
        took = time.perf_counter() - started
        if not lines:
            raise CommandError(f"the engine found no text on {options['image']}")
        if not options["quiet"]:
            self.stdout.write(f"engine: {config.engine}, device: {config.device}")
            self.stdout.write(
                f"models: {config.det_model} + {config.rec_model} in {config.model_dir}"
            )
            self.stdout.write(f"layout: {layout.describe(settings.OCR_LAYOUT)}")
            self.stdout.write(
                f"loaded in {loaded:.1f} s; {options['image'].name}: "
                f"{len(lines)} lines in {took:.1f} s"
            )
            for line in lines[:5]:
                self.stdout.write(f"  {line.confidence:.2f}  {line.text}")
