"""The engine configuration this deployment runs, read from Django settings."""

import hashlib
import os

from django.conf import settings

from config.env import ConfigError
from ocr.engine import REVISION, EngineConfig
from ocr.provisioning import MODEL_SETS


def engine_config() -> EngineConfig:
    name = settings.OCR_MODEL_SET
    if name == "custom":
        missing = [
            key
            for key in ("OCR_ENGINE", "OCR_DET_MODEL", "OCR_REC_MODEL")
            if not getattr(settings, key)
        ]
        if missing:
            raise ConfigError(f"OCR_MODEL_SET=custom needs {', '.join(missing)} to be set")
        engine, det, rec = settings.OCR_ENGINE, settings.OCR_DET_MODEL, settings.OCR_REC_MODEL
        limit = box_thresh = None
    elif name in MODEL_SETS:
        model_set = MODEL_SETS[name]
        engine, det, rec = model_set.engine, model_set.det_model, model_set.rec_model
        limit, box_thresh = model_set.det_limit_side_len, model_set.det_box_thresh
    else:
        choices = ", ".join([*MODEL_SETS, "custom"])
        raise ConfigError(f"OCR_MODEL_SET={name!r} is not one of: {choices}")
    if engine not in ("onnxruntime", "paddle_static"):
        raise ConfigError(f"OCR_ENGINE={engine!r} must be onnxruntime or paddle_static")
    kwargs = {}
    if settings.OCR_DET_LIMIT_SIDE_LEN or limit:
        kwargs["det_limit_side_len"] = settings.OCR_DET_LIMIT_SIDE_LEN or limit
    if box_thresh is not None:
        kwargs["det_box_thresh"] = box_thresh
    kwargs["det_min_text_px"] = settings.OCR_DET_MIN_TEXT_PX
    kwargs["det_max_side_len"] = settings.OCR_DET_MAX_SIDE_LEN
    return EngineConfig(
        model_dir=settings.OCR_MODEL_DIR,
        det_model=det,
        rec_model=rec,
        engine=engine,
        device=settings.OCR_DEVICE,
        threads=settings.OCR_THREADS or default_threads(),
        **kwargs,
    )


def settings_key(config: EngineConfig) -> str:
    """Identifies what determines the stored result: the engine's revision, models, detection
    settings, the bleed-through guard and the layout stage, not device or threads."""
    parts = (
        str(REVISION),
        config.engine,
        config.det_model,
        config.rec_model,
        str(config.det_limit_side_len),
        f"small-print={config.det_min_text_px}/{config.det_max_side_len}",
        f"{config.det_thresh}/{config.det_box_thresh}/{config.det_unclip_ratio}",
        str(settings.OCR_BLEED_THROUGH_CONTRAST),
        str(settings.OCR_BLEED_THROUGH_MAX_CONFIDENCE),
        f"layout={settings.OCR_LAYOUT}",
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def default_threads() -> int:
    """The host's cores shared among the cluster's worker processes (no oversubscription)."""
    return max(1, (os.cpu_count() or 1) // settings.Q_CLUSTER["workers"])
