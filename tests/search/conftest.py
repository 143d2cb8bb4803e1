from tests.ocr.conftest import ocr_models  # noqa: F401 - the bundled models, for slow tests
