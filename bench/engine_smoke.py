"""Smoke test of ocr.engine: cold load, warm page time and recognized text, per model set.

    .venv/bin/python bench/engine_smoke.py IMAGE [IMAGE ...] [--sets PP-OCRv6_small ...]
        [--model-dir var/models] [--threads 2] [--limit 1920 --limit 960] [--repeat 2]

Each model set runs in a fresh process, so "import" and "load" are truly cold. The network
is blocked inside that process (any socket connect or DNS lookup raises and is counted), so a
pass also shows that nothing reaches for a model hub. When IMAGE has a NAME.gt.txt beside it,
the character error rate against it is printed. Needs no Django.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NETWORK_ATTEMPTS: list[str] = []


def block_network() -> None:
    """Make every connect / DNS lookup in this process fail loudly, and count it."""

    def refuse(what):
        def blocked(*args, **kwargs):
            NETWORK_ATTEMPTS.append(f"{what}{args[1:2] if what == 'connect' else args[:1]}")
            raise OSError(f"network blocked by engine_smoke ({what})")

        return blocked

    socket.socket.connect = refuse("connect")
    socket.socket.connect_ex = refuse("connect")
    socket.create_connection = refuse("create_connection")
    socket.getaddrinfo = refuse("getaddrinfo")


def ground_truth(image: Path) -> str | None:
    gt = image.with_name(image.stem + ".gt.txt")
    return gt.read_text("utf-8") if gt.is_file() else None


def run_set(args: argparse.Namespace, set_name: str) -> dict:
    """Child process: load one model set and read every image; returns the measurements."""
    block_network()
    started = time.perf_counter()
    from ocr import engine as engine_module
    from ocr.evaluation import pooled, score
    from ocr.provisioning import MODEL_SETS, install_models

    imported = time.perf_counter() - started
    install_models(args.model_dir, models=(set_name,))
    model_set = MODEL_SETS[set_name]
    report = {"set": set_name, "import_s": round(imported, 2), "limits": []}
    for limit in args.limit or [model_set.det_limit_side_len]:
        config = engine_module.EngineConfig(
            model_dir=args.model_dir,
            det_model=model_set.det_model,
            rec_model=model_set.rec_model,
            engine=model_set.engine,
            device=args.device,
            threads=args.threads,
            det_limit_side_len=limit,
        )
        started = time.perf_counter()
        engine = engine_module.get_engine(config)
        load = time.perf_counter() - started
        pages, scores = [], []
        for image in args.images:
            times = []
            for _ in range(1 + args.repeat):
                started = time.perf_counter()
                lines = engine.recognize(image)
                times.append(time.perf_counter() - started)
            text = "\n".join(line.text for line in lines)
            page = {
                "image": str(image),
                "first_s": round(times[0], 2),
                "warm_s": round(statistics.median(times[1:]), 2) if args.repeat else None,
                "lines": len(lines),
                "mean_conf": round(statistics.fmean(x.confidence for x in lines), 3)
                if lines
                else None,
                "text": text,
            }
            truth = ground_truth(image)
            if truth is not None:
                page_score = score(text, truth)
                scores.append(page_score)
                page["cer"] = round(page_score.cer, 4)
            pages.append(page)
        report["limits"].append(
            {
                "det_limit_side_len": limit,
                "description": engine.description,
                "load_s": round(load, 2),
                "pages": pages,
                "cer": round(pooled(scores).cer, 4) if scores else None,
            }
        )
    report["network_attempts"] = NETWORK_ATTEMPTS
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="+", type=Path)
    parser.add_argument("--sets", nargs="+", default=["PP-OCRv6_small", "PP-OCRv4_mobile"])
    parser.add_argument("--model-dir", type=Path, default=ROOT / "var" / "models")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, action="append", help="det_limit_side_len")
    parser.add_argument("--repeat", type=int, default=2, help="warm runs per image")
    parser.add_argument("--quiet", action="store_true", help="no recognized text")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")

    if args.child:
        print(json.dumps(run_set(args, args.child), ensure_ascii=False))
        return

    reports = []
    for set_name in args.sets:
        command = [sys.executable, *sys.argv, "--child", set_name]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"== {set_name}: FAILED\n{done.stderr[-3000:]}")
            continue
        report = json.loads(done.stdout.strip().splitlines()[-1])
        report["stderr_lines"] = len(done.stderr.splitlines())
        reports.append(report)
        print(f"== {set_name}: import {report['import_s']} s", end="")
        print(f", stderr lines {report['stderr_lines']}", end="")
        print(f", network attempts {len(report['network_attempts'])}")
        for attempt in report["network_attempts"][:5]:
            print(f"   blocked: {attempt}")
        for run in report["limits"]:
            print(f"-- {run['description']}, limit {run['det_limit_side_len']}: ", end="")
            print(f"load {run['load_s']} s, pooled CER {run['cer']}")
            for page in run["pages"]:
                print(
                    f"   {page['image']}: first {page['first_s']} s, warm {page['warm_s']} s, "
                    f"{page['lines']} lines, mean conf {page['mean_conf']}, CER {page.get('cer')}"
                )
                if not args.quiet:
                    print("      " + page["text"].replace("\n", "\n      "))
    if args.json:
        args.json.write_text(json.dumps(reports, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
