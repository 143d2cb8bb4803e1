"""``manage.py ocr_eval DIR``: character error rate of the configured engine on a page set."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from ocr import reading_order
from ocr.configuration import engine_config
from ocr.engine import get_engine
from ocr.evaluation import Score, pooled, score
from ocr.recognition import read_page

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"}


class Command(BaseCommand):
    help = (
        "Recognize every image in DIR that has a ground-truth NAME.gt.txt beside it and print "
        "the character error rate per page, per group (sub-folder) and pooled."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--direction",
            choices=[reading_order.AUTO, reading_order.HORIZONTAL, reading_order.VERTICAL],
            default=reading_order.AUTO,
        )

    def handle(self, *args, **options):
        pages = sorted(
            path
            for path in options["directory"].rglob("*")
            if path.suffix.lower() in IMAGE_SUFFIXES and path.with_suffix(".gt.txt").exists()
        )
        if not pages:
            raise CommandError(f"no images with .gt.txt ground truth under {options['directory']}")
        config = engine_config()
        get_engine(config)  # loaded before the pages are timed
        self.stdout.write(
            f"{config.det_model} + {config.rec_model} ({config.engine}, {config.device})"
        )
        groups: dict[str, list[Score]] = {}
        seconds = 0.0
        for path in pages:
            started = time.perf_counter()
            lines = read_page(Image.open(path), config)
            seconds += time.perf_counter() - started
            ordered, _ = reading_order.order_lines(lines, options["direction"])
            result = score(
                "".join(line.text for line in ordered),
                path.with_suffix(".gt.txt").read_text("utf-8"),
            )
            group = str(path.parent.relative_to(options["directory"]))
            groups.setdefault(group, []).append(result)
            shown = path.relative_to(options["directory"])
            self.stdout.write(f"{result.cer:7.2%}  {result.errors:5d}/{result.length:<6d} {shown}")
        for group, scores in sorted(groups.items()):
            total = pooled(scores)
            self.stdout.write(f"group {group}: CER {total.cer:.2%} over {len(scores)} pages")
        total = pooled([s for scores in groups.values() for s in scores])
        self.stdout.write(
            f"pooled: CER {total.cer:.2%} ({total.errors}/{total.length} chars), "
            f"{len(pages)} pages, {seconds / len(pages):.2f} s/page"
        )
