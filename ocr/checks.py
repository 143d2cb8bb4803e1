"""Start-up check: a worker must not start without its OCR models (one line says the fix)."""

import sys

from django.core import checks

from config.env import ConfigError


@checks.register("ocr")
def ocr_models_present(app_configs=None, **kwargs):
    from ocr.configuration import engine_config
    from ocr.provisioning import ModelsMissing, check_models

    try:
        config = engine_config()
        check_models(config.model_dir, config.det_model, config.rec_model)
    except (ConfigError, ModelsMissing) as error:
        # Fatal for a queue worker; the web and other commands work without models.
        level = checks.Error if "qcluster" in sys.argv[1:2] else checks.Warning
        return [level(str(error), id="ocr.E001" if level is checks.Error else "ocr.W001")]
    return []
