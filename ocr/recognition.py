"""Recognizing one page: claim it, run (or reuse) the engine, store its lines in order.

Called by the django-q2 task with an ``OcrRun`` id. A bad image fails at once with its
reason on the page; an engine or database hiccup is retried with back-off; a page whose
worker died is found by ``sweep_stuck_runs`` and queued again.
"""

import io
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from books.models import Page, PageStatus
from config.env import ConfigError
from ocr import queueing, reading_order
from ocr.bleed_through import remove_bleed_through
from ocr.configuration import engine_config, settings_key
from ocr.engine import EngineConfig, EngineUnavailable, RecognizedLine, get_engine
from ocr.models import LineAction, LineRevision, OcrRun, RunStatus, TextLine
from ocr.provisioning import ModelsMissing

logger = logging.getLogger(__name__)


class BadPageImage(Exception):
    """The stored image cannot be read: retrying will not help."""


def recognize(run_id: int) -> OcrRun | None:
    """Run one queued attempt; returns the finished run, or None when there was nothing to do."""
    now = timezone.now()
    if not OcrRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now
    ):
        return None  # already run, cancelled, or delivered twice
    run = OcrRun.objects.select_related("page__volume__book").get(pk=run_id)
    page = run.page
    if not Page.objects.filter(pk=page.pk, status=PageStatus.QUEUED).update(
        status=PageStatus.PROCESSING, updated_at=now
    ):
        _finish(run, RunStatus.CANCELLED, error=f"page was {page.status}, not queued")
        return run

    started = time.perf_counter()
    try:
        config = engine_config()
        run.engine, run.det_model, run.rec_model = config.engine, config.det_model, config.rec_model
        run.device, run.settings_key = config.device, settings_key(config)
        source = _reusable_run(page, run.settings_key)
        if source is not None:
            lines = [_as_recognized(line) for line in source.page.lines.all()]
            run.reused_from = source
        else:
            lines = read_page(_load_image(page), config)
        run.seconds = time.perf_counter() - started
        _store_lines(run, lines)
    except BadPageImage as error:
        _fail_page(run, str(error))
    except (ConfigError, ModelsMissing, EngineUnavailable) as error:
        # The worker is misconfigured: say so on the page; queue it again once fixed.
        _fail_page(run, f"OCR worker not ready: {error}")
    except Exception as error:  # engine or database hiccup: retried, never left "processing"
        logger.exception("ocr run=%s page=%s failed", run.pk, page.pk)
        _retry_or_fail(run, f"{type(error).__name__}: {error}")
    logger.info(
        "ocr run=%s page=%s book=%s status=%s lines=%s seconds=%.2f",
        run.pk,
        page.pk,
        page.volume.book_id,
        run.status,
        run.line_count,
        run.seconds or 0,
    )
    return run


def read_page(image: Image.Image, config: EngineConfig | None = None) -> list[RecognizedLine]:
    """The engine's lines for a page image, bleed-through from the verso removed."""
    lines = get_engine(config or engine_config()).recognize(image)
    return remove_bleed_through(
        image,
        lines,
        ratio=settings.OCR_BLEED_THROUGH_CONTRAST,
        unsure_below=settings.OCR_BLEED_THROUGH_MAX_CONFIDENCE,
    )


def _load_image(page: Page) -> Image.Image:
    try:
        with page.image.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise BadPageImage(f"page image is missing from storage: {page.image.name}") from None
    if not data:
        raise BadPageImage("page image is empty (0 bytes)")
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > settings.IMPORT_MAX_PIXELS:
            raise BadPageImage(
                f"page image too large: {image.width}x{image.height} exceeds IMPORT_MAX_PIXELS"
            )
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError) as error:
        raise BadPageImage(f"page image cannot be read: {error}") from None
    except OSError as error:  # truncated data
        raise BadPageImage(f"page image is corrupt: {error}") from None
    return image.convert("RGB")


def _reusable_run(page: Page, key: str) -> OcrRun | None:
    """A finished run on an identical image with the same engine settings, if any."""
    return (
        OcrRun.objects.filter(
            status=RunStatus.SUCCEEDED,
            settings_key=key,
            page__sha256=page.sha256,
            page__source_frame=page.source_frame,
            page__status__in=queueing.HAS_TEXT,
        )
        .exclude(page=page)
        .select_related("page")
        .order_by("-finished_at")
        .first()
    )


def _as_recognized(line: TextLine) -> RecognizedLine:
    return RecognizedLine(
        polygon=[tuple(point) for point in line.polygon],
        box=line.box,
        text=line.engine_text,
        confidence=line.confidence or 0.0,
    )


def _store_lines(run: OcrRun, lines: list[RecognizedLine]) -> None:
    page = run.page
    ordered, direction = reading_order.order_lines(lines, page.volume.book.text_direction)
    with transaction.atomic():
        old_lines = list(page.lines.all())
        corrected = [line for line in old_lines if line.is_corrected]
        if corrected and not run.force:
            raise BadPageImage("page has corrected lines: recognize it again with force")
        LineRevision.objects.bulk_create(
            LineRevision(
                page=page,
                order=line.order,
                action=LineAction.SUPERSEDED,
                text_before=line.text,
                text_after="",
                engine_text=line.engine_text,
                polygon=line.polygon,
            )
            for line in corrected
        )
        page.lines.all().delete()
        TextLine.objects.bulk_create(
            TextLine(
                page=page,
                order=number,
                polygon=[list(point) for point in line.polygon],
                x0=line.box[0],
                y0=line.box[1],
                x1=line.box[2],
                y1=line.box[3],
                engine_text=line.text,
                text=line.text,
                confidence=line.confidence,
                vertical=direction == reading_order.VERTICAL
                and reading_order.is_vertical_box(line.box),
                run=run,
            )
            for number, line in enumerate(ordered, start=1)
        )
        Page.objects.filter(pk=page.pk).update(
            status=PageStatus.RECOGNIZED, error="", updated_at=timezone.now()
        )
        run.line_count = len(ordered)
        _finish(run, RunStatus.REUSED if run.reused_from_id else RunStatus.SUCCEEDED)


def _finish(run: OcrRun, status: str, *, error: str = "") -> None:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.save()


def _fail_page(run: OcrRun, reason: str) -> None:
    with transaction.atomic():
        Page.objects.filter(pk=run.page_id).update(
            status=PageStatus.FAILED, error=reason, updated_at=timezone.now()
        )
        _finish(run, RunStatus.FAILED, error=reason)


def _retry_or_fail(run: OcrRun, reason: str) -> None:
    if run.attempt > settings.OCR_MAX_RETRIES:
        _fail_page(run, f"gave up after {run.attempt} attempts: {reason}")
        return
    delay = settings.OCR_RETRY_BACKOFF * 2 ** (run.attempt - 1)
    with transaction.atomic():
        _finish(run, RunStatus.FAILED, error=reason)
        queueing.requeue(run, reason=f"retrying in {delay} s: {reason}", delay_seconds=delay)


def sweep_stuck_runs() -> int:
    """Queue again the pages whose worker died (killed, out of memory) mid-recognition."""
    limit = timezone.now() - timedelta(
        seconds=settings.Q_CLUSTER["timeout"] + settings.OCR_STUCK_GRACE
    )
    swept = 0
    for run in OcrRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=limit):
        with transaction.atomic():
            if not OcrRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                status=RunStatus.FAILED,
                finished_at=timezone.now(),
                error="worker stopped during recognition (killed or timed out)",
            ):
                continue
            run.status = RunStatus.FAILED
            Page.objects.filter(pk=run.page_id, status=PageStatus.PROCESSING).update(
                status=PageStatus.QUEUED
            )
            if run.attempt > settings.OCR_MAX_RETRIES:
                _fail_page(run, f"worker stopped during recognition {run.attempt} times")
            else:
                queueing.requeue(run, reason="worker stopped during recognition; queued again")
            swept += 1
    if swept:
        logger.warning("ocr sweep: %s stuck page(s) queued again", swept)
    return swept
