"""A worker without models refuses to start, and says how to fix it in one line."""

import pytest

from books.models import PageStatus
from ocr import queueing, recognition
from ocr.models import RunStatus
from tests.ocr.conftest import manage
from tests.ocr.factories import ENGLISH_PAGE, add_page, make_volume


def test_qcluster_refuses_to_start_without_models(tmp_path, process_env):
    result = manage(process_env(OCR_MODEL_DIR=tmp_path / "empty"), "qcluster", timeout=60)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "ocr.E001" in line]
    assert len(errors) == 1
    assert "ocr_models install" in errors[0] and "OCR_MODEL_DIR" in errors[0]


def test_ocr_check_fails_with_one_line_for_an_unknown_model_set(process_env):
    result = manage(process_env(OCR_MODEL_SET="PP-OCRv9_huge"), "ocr_check", timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("configuration error: OCR_MODEL_SET")


@pytest.mark.django_db
def test_page_fails_with_the_reason_when_the_worker_has_no_models(settings, tmp_path):
    settings.OCR_MODEL_DIR = tmp_path / "empty"
    page = add_page(make_volume(), ENGLISH_PAGE)
    queueing.enqueue_pages([page.pk])
    run = recognition.recognize(page.ocr_runs.get().pk)
    page.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert page.status == PageStatus.FAILED
    assert page.error.startswith("OCR worker not ready: OCR model")
