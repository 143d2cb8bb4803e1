"""django-q2 task entry points: thin wrappers over ``ocr.recognition``."""

from ocr import recognition


def recognize_page(run_id: int) -> str:
    run = recognition.recognize(run_id)
    return "nothing to do" if run is None else f"{run.status}: {run.line_count} lines"


def sweep_stuck_pages() -> int:
    return recognition.sweep_stuck_runs()
