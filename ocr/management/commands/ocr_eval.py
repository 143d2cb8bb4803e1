"""``manage.py ocr_eval DIR``: how well the configured pipeline reads a page set.

Per page, per group (sub-folder) and pooled: the character error rate of the page text in
the order the pipeline gives it (what users get), and an order-free score (F1 of the
character multisets, with recall) that counts only what was read, so that a page read
well but in the wrong order shows as such; and seconds per page, the layout stage apart.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from ocr import layout, reading_order
from ocr.arrangement import arrange
from ocr.configuration import engine_config
from ocr.engine import get_engine
from ocr.evaluation import Score, pooled, score
from ocr.recognition import read_page, read_regions

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"}


class Command(BaseCommand):
    help = (
        "Recognize every image in DIR that has a ground-truth NAME.gt.txt beside it and print "
        "the character error rate in reading order, an order-free score and seconds per "
        "page: per page, per group (sub-folder) and pooled."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--direction",
            choices=[reading_order.AUTO, reading_order.HORIZONTAL, reading_order.VERTICAL],
            default=reading_order.AUTO,
        )
        parser.add_argument(
            "--layout",
            choices=layout.CHOICES,
            help="layout stage for this run (default: the OCR_LAYOUT setting)",
        )

    def handle(self, *args, **options):
        pages = sorted(
            path
            for path in options["directory"].rglob("*")
            if path.suffix.lower() in IMAGE_SUFFIXES and path.with_suffix(".gt.txt").exists()
        )
        if not pages:
            raise CommandError(f"no images with .gt.txt ground truth under {options['directory']}")
        if options["layout"]:
            settings.OCR_LAYOUT = options["layout"]
        config = engine_config()
        get_engine(config)  # loaded before the pages are timed
        layout.get_layout_model(settings.OCR_LAYOUT, config.threads)
        self.stdout.write(
            f"{config.det_model} + {config.rec_model} ({config.engine}, {config.device}); "
            f"layout: {layout.describe(settings.OCR_LAYOUT)}"
        )
        self.stdout.write("    CER  bag-F1  recall  seconds (layout)  page")
        groups: dict[str, list[Score]] = {}
        engine_seconds = layout_seconds = 0.0
        for path in pages:
            with Image.open(path) as opened:
                image = opened.convert("RGB")
            started = time.perf_counter()
            lines = read_page(image, config)
            read = time.perf_counter()
            regions = read_regions(image, lines, options["direction"], config)
            arranged = arrange(lines, regions, options["direction"], image.size)
            done = time.perf_counter()
            engine_seconds += read - started
            layout_seconds += done - read
            result = score(
                "".join(line.text for line in arranged.lines),
                path.with_suffix(".gt.txt").read_text("utf-8"),
            )
            group = str(path.parent.relative_to(options["directory"]))
            groups.setdefault(group, []).append(result)
            self.stdout.write(
                f"{result.cer:7.2%} {result.bag_f1:7.2%} {result.recall:7.2%} "
                f"{done - started:6.2f} ({done - read:.2f})  "
                f"{path.relative_to(options['directory'])}"
            )
        for group, scores in sorted(groups.items()):
            total = pooled(scores)
            self.stdout.write(
                f"group {group}: CER {total.cer:.2%}, bag-F1 {total.bag_f1:.2%}, "
                f"recall {total.recall:.2%} over {len(scores)} pages"
            )
        total = pooled([s for scores in groups.values() for s in scores])
        count = len(pages)
        self.stdout.write(
            f"pooled: CER {total.cer:.2%} ({total.errors}/{total.length} chars), "
            f"bag-F1 {total.bag_f1:.2%}, recall {total.recall:.2%}, {count} pages, "
            f"{(engine_seconds + layout_seconds) / count:.2f} s/page "
            f"(engine {engine_seconds / count:.2f}, layout and order {layout_seconds / count:.3f})"
        )
