from tests.ocr.browser import chromium, session_for  # noqa: F401 - browser test fixtures
from tests.ocr.conftest import ocr_models  # noqa: F401 - the bundled models, for slow tests
