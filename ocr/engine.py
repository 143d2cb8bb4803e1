"""The OCR engine adapter: PaddleOCR on local model dirs, loaded once per worker process.

Output is plain ``RecognizedLine`` values, independent of paddleocr's result types.
Importable without Django: configuration comes in as an ``EngineConfig``.
"""

import io
import logging
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ocr.detection_size import second_pass_limit
from ocr.gutters import split_at_gutters
from ocr.ink import narrowed_to_ink
from ocr.note_columns import split_note_columns
from ocr.provisioning import check_models

# Never look for models online; everything is local (see ocr.provisioning).
os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
os.environ.setdefault("PADDLE_PDX_MODEL_SOURCE", "local")
# paddle warns, when it loads a model, that ccache (for building C++ extensions) is absent.
warnings.filterwarnings("ignore", message="No ccache found", category=UserWarning)

logger = logging.getLogger(__name__)

# Text lines recognized per model call (PaddleOCR's pipeline default).
REC_BATCH = 6
# Part of the key under which results are reused (ocr.configuration.settings_key): raise it
# when a change here gives different lines for the same image, models and settings.
# 2: merged double-line note boxes split (ocr.note_columns); 3: boxes split at gutters
# (ocr.gutters), line boxes narrowed to their ink along the line.
REVISION = 3


class EngineUnavailable(Exception):
    """The engine cannot run here (e.g. a GPU requested on a CPU-only build); says what to fix."""


@dataclass(frozen=True)
class EngineConfig:
    model_dir: Path
    det_model: str
    rec_model: str
    engine: str = "onnxruntime"  # or paddle_static
    device: str = "cpu"  # or gpu:N
    threads: int = 2
    # Longest side the detector sees. 300-dpi book pages are ~2500x3500 px; at 960 px their
    # 10-point text shrinks to ~11 px, still read (0.49% CER on 300-dpi Debian PDF pages vs
    # 0.46% at 1920), but smaller print is lost: 54% CER on a newspaper page with 10 px text
    # at 960 vs 15-23% with larger limits. 1920 costs ~35% more time per page (3.3 vs 2.5 s).
    det_limit_side_len: int = 1920
    det_limit_type: str = "max"
    # A second detection pass, with a larger limit, when the first one saw the page's typical
    # line under this many pixels high (0: never); up to det_max_side_len (ocr.detection_size).
    det_min_text_px: int = 0
    det_max_side_len: int = 4096
    # DB post-processing as PaddleOCR's pipeline sets it, whatever a model dir's inference.yml
    # says: pixel threshold, minimum mean score of a box, and how far boxes are grown.
    det_thresh: float = 0.3
    det_box_thresh: float = 0.6
    det_unclip_ratio: float = 1.5

    @property
    def description(self) -> str:
        return f"{self.det_model} + {self.rec_model} on {self.engine} ({self.device})"


@dataclass(frozen=True)
class RecognizedLine:
    polygon: list[tuple[int, int]]
    box: tuple[int, int, int, int]
    text: str
    confidence: float


class Engine:
    def __init__(self, config: EngineConfig):
        check_models(config.model_dir, config.det_model, config.rec_model)
        self.config = config
        _check_device(config)
        from paddleocr import TextDetection, TextRecognition
        from paddlex.inference.pipelines.components import CropByPolys, SortQuadBoxes

        _quiet_paddlex_logging()  # after the import: importing paddlex resets its level to INFO

        # Detection and recognition run as two models (not PaddleOCR's pipeline) so that
        # merged boxes can be split in between (ocr.note_columns, ocr.gutters).
        model_dir = Path(config.model_dir)
        runtime = {
            "device": config.device,
            "engine": config.engine,
            "engine_config": _engine_config(config),
        }
        self._detector = TextDetection(
            model_name=config.det_model,
            model_dir=str(model_dir / config.det_model),
            limit_side_len=config.det_limit_side_len,
            limit_type=config.det_limit_type,
            thresh=config.det_thresh,
            box_thresh=config.det_box_thresh,
            unclip_ratio=config.det_unclip_ratio,
            **runtime,
        )
        self._recognizer = TextRecognition(
            model_name=config.rec_model, model_dir=str(model_dir / config.rec_model), **runtime
        )
        # The pipeline's own crop: the minimum-area rectangle, turned upright; boxes at least
        # 1.5x taller than wide (vertical columns) are turned a quarter to read as a line.
        self._crop = CropByPolys(det_box_type="quad")
        self._sort = SortQuadBoxes()  # the pipeline's order; it decides the batches below
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        return self.config.description

    def _detect(self, array: np.ndarray) -> list:
        """The text polygons, from a second, larger pass when the page's print is small."""
        polygons = list(self._detector.predict(array)[0]["dt_polys"])
        config = self.config
        limit = second_pass_limit(
            (array.shape[1], array.shape[0]),
            [_bounds(polygon) for polygon in polygons],
            config.det_limit_side_len,
            config.det_min_text_px,
            config.det_max_side_len,
        )
        self.last_detection_side = limit or config.det_limit_side_len
        if limit is not None:
            polygons = list(self._detector.predict(array, limit_side_len=limit)[0]["dt_polys"])
        return polygons

    def recognize(self, image: Image.Image | str | Path | bytes) -> list[RecognizedLine]:
        array = _to_bgr_array(image)
        with self._lock:  # one page at a time per engine; workers scale by process
            polygons = self._detect(array)
            if polygons:
                polygons = split_note_columns(array, list(self._sort(polygons)))
                polygons = split_at_gutters(array, polygons)
            crops = self._crop(array, polygons)
            kept = [i for i, crop in enumerate(crops) if crop.size]
            # Like the pipeline: batches of similar shape, so that little padding is added.
            batched = sorted(kept, key=lambda i: crops[i].shape[1] / crops[i].shape[0])
            batch = [crops[i] for i in batched]
            results = self._recognizer.predict(batch, batch_size=REC_BATCH) if batch else []
        by_index = dict(zip(batched, results, strict=True))
        gray = cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
        lines = []
        for i in kept:  # detection order, as the pipeline returns them
            result = by_index[i]
            text = result["rec_text"]
            if not text.strip():
                continue
            points = [(round(float(x)), round(float(y))) for x, y in np.asarray(polygons[i])]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            box = narrowed_to_ink(gray, (min(xs), min(ys), max(xs), max(ys)))
            # The polygon is narrowed with the box, so that the box stays its bounds.
            points = [(min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])) for x, y in points]
            lines.append(
                RecognizedLine(
                    polygon=points,
                    box=box,
                    text=text,
                    confidence=float(result["rec_score"]),
                )
            )
        return lines


def _bounds(polygon) -> tuple[float, float, float, float]:
    points = np.asarray(polygon)
    return (*points.min(axis=0).tolist(), *points.max(axis=0).tolist())


def _engine_config(config: EngineConfig) -> dict:
    if config.engine == "onnxruntime":
        return {"intra_op_num_threads": config.threads, "inter_op_num_threads": 1}
    if config.device.startswith("gpu"):
        return {"run_mode": "paddle", "enable_new_ir": False}
    # These Paddle inference files crash under MKL-DNN with the new IR; without MKL-DNN
    # they run ~6x slower, so MKL-DNN stays on and the new IR off.
    return {"run_mode": "mkldnn", "enable_new_ir": False, "cpu_threads": config.threads}


def _check_device(config: EngineConfig) -> None:
    if not config.device.startswith("gpu"):
        return
    if config.engine == "onnxruntime":
        import onnxruntime

        if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
            raise EngineUnavailable(
                f"OCR_DEVICE={config.device} needs CUDA for onnxruntime: install onnxruntime-gpu "
                "instead of onnxruntime (or set OCR_DEVICE=cpu)"
            )
    else:
        import paddle

        if not paddle.device.is_compiled_with_cuda():
            raise EngineUnavailable(
                f"OCR_DEVICE={config.device} needs paddlepaddle-gpu (from Paddle's own wheel "
                "index) instead of paddlepaddle (or set OCR_DEVICE=cpu)"
            )


def _to_bgr_array(image: Image.Image | str | Path | bytes) -> np.ndarray:
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    elif isinstance(image, (str, Path)):
        image = Image.open(image)
    rgb = np.asarray(image.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _quiet_paddlex_logging() -> None:
    for name in ("paddlex", "paddleocr", "ppocr"):
        logging.getLogger(name).setLevel(logging.WARNING)


_engines: dict[EngineConfig, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(config: EngineConfig) -> Engine:
    """The process's engine for ``config``, loaded on first use and kept."""
    with _engines_lock:
        engine = _engines.get(config)
        if engine is None:
            logger.info("loading OCR engine: %s", config.description)
            engine = _engines[config] = Engine(config)
        return engine
