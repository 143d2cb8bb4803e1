"""Recognizing one page: claim it, run (or reuse) the engine, store its lines in order.

Called by the django-q2 task with an ``OcrRun`` id. A bad image fails at once with its
reason on the page; an engine or database hiccup is retried with back-off; a page whose
worker died is found by ``sweep_stuck_runs`` and queued again.
"""

import io
import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from books.models import Page, PageStatus
from config.env import ConfigError
from ocr import page_versions, queueing, reading_order
from ocr.arrangement import Arrangement, arrange
from ocr.bleed_through import remove_bleed_through
from ocr.carry_over import as_recognized, carry_corrections
from ocr.configuration import engine_config, settings_key
from ocr.corrections import revision
from ocr.engine import EngineConfig, EngineUnavailable, RecognizedLine, get_engine
from ocr.layout import LayoutRegion, get_layout_model
from ocr.models import (
    LineAction,
    LineRevision,
    OcrRun,
    Region,
    RunStatus,
    TextLine,
    VersionReason,
)
from ocr.provisioning import ModelsMissing
from search.indexing import refresh_page

logger = logging.getLogger(__name__)


REUSE_CANDIDATES = 5


class BadPageImage(Exception):
    """The stored image cannot be read: retrying will not help."""


class RunAbandoned(Exception):
    """The run was swept or the page changed while the engine worked: its result is dropped."""


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
        reusable = _reusable_result(page, run.settings_key)
        if reusable is not None:
            run.reused_from, lines, regions = reusable
        else:
            image = _load_image(page)
            lines = read_page(image, config)
            regions = read_regions(image, lines, page.volume.book.text_direction, config)
        run.seconds = time.perf_counter() - started
        _store_lines(run, lines, regions)
    except RunAbandoned as error:
        logger.warning(
            "ocr run=%s page=%s result dropped: %s", run.pk, page.pk, error, extra=_ids(run)
        )
        run.refresh_from_db()
    except BadPageImage as error:
        _fail_page(run, str(error))
    except (ConfigError, ModelsMissing, EngineUnavailable) as error:
        # The worker is misconfigured: say so on the page; queue it again once fixed.
        _fail_page(run, f"OCR worker not ready: {error}")
    except Exception as error:  # engine or database hiccup: retried, never left "processing"
        logger.exception("ocr run=%s page=%s failed", run.pk, page.pk, extra=_ids(run))
        _retry_or_fail(run, f"{type(error).__name__}: {error}")
    logger.info(
        "ocr run=%s page=%s book=%s status=%s lines=%s seconds=%.2f",
        run.pk,
        page.pk,
        page.volume.book_id,
        run.status,
        run.line_count,
        run.seconds or 0,
        extra={
            **_ids(run),
            "status": run.status,
            "lines": run.line_count,
            "seconds": round(run.seconds or 0, 3),
        },
    )
    return run


def _ids(run: OcrRun) -> dict:
    """Structured log fields naming what an OCR event is about."""
    return {
        "event": "ocr.run",
        "run_id": run.pk,
        "page_id": run.page_id,
        "book_id": run.page.volume.book_id,
        "task_id": run.task_id,
        "attempt": run.attempt,
    }


def read_page(image: Image.Image, config: EngineConfig | None = None) -> list[RecognizedLine]:
    """The engine's lines for a page image, bleed-through from the verso removed."""
    lines = get_engine(config or engine_config()).recognize(image)
    return remove_bleed_through(
        image,
        lines,
        ratio=settings.OCR_BLEED_THROUGH_CONTRAST,
        unsure_below=settings.OCR_BLEED_THROUGH_MAX_CONFIDENCE,
    )


def read_regions(
    image: Image.Image,
    lines: list[RecognizedLine],
    direction: str = reading_order.AUTO,
    config: EngineConfig | None = None,
) -> list[LayoutRegion]:
    """The layout model's regions on a horizontal page; none on vertical pages (the model
    knows horizontal ones only), without text, or when the layout stage is off."""
    if not lines:
        return []
    if direction == reading_order.AUTO:
        direction = reading_order.detect_direction(lines)
    if direction == reading_order.VERTICAL:
        return []
    model = get_layout_model(settings.OCR_LAYOUT, (config or engine_config()).threads)
    return model.detect(image) if model else []


def read_arranged(
    image: Image.Image, config: EngineConfig | None = None, direction: str = reading_order.AUTO
) -> Arrangement:
    """What a worker makes of a page image, without storing it: lines in reading order,
    grouped into layout regions."""
    lines = read_page(image, config)
    regions = read_regions(image, lines, direction, config)
    return arrange(lines, regions, direction, image.size)


def _load_image(page: Page) -> Image.Image:
    try:
        with page.image.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise BadPageImage(f"page image is missing from storage: {page.image.name}") from None
    if not data:
        raise BadPageImage("page image is empty (0 bytes)")
    too_large = f"page image too large: over IMPORT_MAX_PIXELS={settings.IMPORT_MAX_PIXELS} pixels"
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > settings.IMPORT_MAX_PIXELS:
            raise BadPageImage(f"{too_large} ({image.width}x{image.height})")
        image.load()
    except Image.DecompressionBombError:  # Pillow's own limit, set from the setting
        raise BadPageImage(too_large) from None
    except (UnidentifiedImageError, SyntaxError, ValueError) as error:
        raise BadPageImage(f"page image cannot be read: {error}") from None
    except OSError as error:  # truncated data
        raise BadPageImage(f"page image is corrupt: {error}") from None
    return image.convert("RGB")


def _reusable_result(
    page: Page, key: str
) -> tuple[OcrRun, list[RecognizedLine], list[LayoutRegion]] | None:
    """The engine lines and layout regions of a finished run on an identical image with the
    same settings.

    Only a run that still owns all its lines qualifies (the page may have been recognized
    again since, or a line deleted); corrections are not carried over, engine text is.
    """
    candidates = (
        OcrRun.objects.filter(
            status__in=(RunStatus.SUCCEEDED, RunStatus.REUSED),
            settings_key=key,
            page__sha256=page.sha256,
            page__source_frame=page.source_frame,
        )
        .exclude(page=page)
        .order_by("-finished_at")
    )
    for candidate in candidates[:REUSE_CANDIDATES]:
        lines = list(TextLine.objects.filter(run=candidate).order_by("order"))
        if len(lines) == candidate.line_count:
            regions = [
                LayoutRegion(region.kind, region.box, region.score or 0.0)
                for region in Region.objects.filter(run=candidate).order_by("order")
            ]
            return candidate, [as_recognized(line) for line in lines], regions
    return None


def _store_lines(
    run: OcrRun, lines: list[RecognizedLine], regions: list[LayoutRegion] = ()
) -> None:
    """Replace the page's lines and regions with the run's, in one transaction.

    The text replaced is kept as one of the page's versions. Corrected lines are carried
    over (``ocr.carry_over``) unless the run was asked to discard them; then they are
    marked superseded in their history.
    """
    page = run.page
    size = (page.width, page.height) if page.width and page.height else None
    with transaction.atomic():
        # The page row lock orders this against line edits and a concurrent sweep.
        if (
            not Page.objects.select_for_update()
            .filter(pk=page.pk, status=PageStatus.PROCESSING)
            .exists()
        ):
            raise RunAbandoned("the page is no longer processing")
        old_lines = list(page.lines.all())
        corrected = [line for line in old_lines if line.is_corrected]
        if corrected and not run.force:
            raise BadPageImage("page has corrected lines: recognize it again with force")
        carry = carry_corrections(corrected if run.keep_corrections else [], lines)
        arrangement = arrange(carry.lines, regions, page.volume.book.text_direction, size)
        ordered, direction = arrangement.lines, arrangement.direction
        # What the engine read: a run whose stored lines fall short of it (new lines dropped
        # under kept corrections) is never reused for another page.
        run.line_count = len(lines)
        if not _finish(run, RunStatus.REUSED if run.reused_from_id else RunStatus.SUCCEEDED):
            raise RunAbandoned("the run was ended meanwhile (swept as stuck)")
        if not run.keep_corrections:
            LineRevision.objects.bulk_create(
                revision(line, LineAction.SUPERSEDED, line.text, "", run.requested_by)
                for line in corrected
            )
        page_versions.keep_version(
            page.pk, VersionReason.RECOGNIZED_AGAIN, user=run.requested_by, run=run
        )
        history_of = dict(
            LineRevision.objects.filter(line__in=corrected).values_list("pk", "line_id")
        )
        page.lines.all().delete()
        page.regions.all().delete()
        region_of = _store_regions(run, arrangement)
        rows = TextLine.objects.bulk_create(
            _line_row(run, number, line, region_of.get(id(line)), direction, carry)
            for number, line in enumerate(ordered, start=1)
        )
        _carry_history(run, rows, ordered, carry, history_of)
        Page.objects.filter(pk=page.pk).update(
            status=PageStatus.RECOGNIZED, error="", updated_at=timezone.now()
        )
        refresh_page(page.pk)


def _line_row(run, number, line, region, direction, carry) -> TextLine:
    """The row of a line in reading order: the engine's, with a carried correction's text,
    or a corrected line kept as it was."""
    row = TextLine(
        page=run.page,
        order=number,
        region=region,
        polygon=[list(point) for point in line.polygon],
        x0=line.box[0],
        y0=line.box[1],
        x1=line.box[2],
        y1=line.box[3],
        engine_text=line.text,
        text=line.text,
        confidence=line.confidence,
        vertical=direction == reading_order.VERTICAL and reading_order.is_vertical_box(line.box),
        run=run,
    )
    corrected = carry.correction_of(line)
    if corrected is not None:
        row.text = corrected.text
        row.corrected_by_id, row.corrected_at = corrected.corrected_by_id, corrected.corrected_at
        if carry.is_kept(line):
            row.run, row.confidence = corrected.run, corrected.confidence
    return row


def _carry_history(run, rows, ordered, carry, history_of: dict[int, int]) -> None:
    """A carried correction's history goes on under its new line, with one more step saying
    it was kept over the new recognition. ``history_of``: {revision id: old line id}."""
    new_row_of = {}
    steps = []
    for row, line in zip(rows, ordered, strict=True):
        corrected = carry.correction_of(line)
        if corrected is None:
            continue
        new_row_of[corrected.pk] = row.pk
        if not carry.is_kept(line) and row.text != row.engine_text:
            steps.append(
                revision(row, LineAction.KEPT, row.engine_text, row.text, run.requested_by)
            )
    revisions_of: dict[int, list[int]] = {}
    for revision_id, old_line_id in history_of.items():
        if old_line_id in new_row_of:
            revisions_of.setdefault(new_row_of[old_line_id], []).append(revision_id)
    for row_id, revision_ids in revisions_of.items():
        LineRevision.objects.filter(pk__in=revision_ids).update(line_id=row_id)
    LineRevision.objects.bulk_create(steps)


def _store_regions(run: OcrRun, arrangement: Arrangement) -> dict[int, Region]:
    """Region rows for what the layout model found: regions with text in the order their
    first line is read, then those without; returns each line's region by the line's
    identity (a region's lines may be read in more than one run, around a table say)."""
    found: dict[int, tuple[str, LayoutRegion]] = {}
    for block in arrangement.blocks:
        if block.region is not None:
            found.setdefault(id(block.region), (block.kind, block.region))
    kinds_and_regions = [
        *found.values(),
        *((region.kind, region) for region in arrangement.empty_regions),
    ]
    rows = Region.objects.bulk_create(
        Region(
            page=run.page,
            order=number,
            kind=kind,
            x0=region.box[0],
            y0=region.box[1],
            x1=region.box[2],
            y1=region.box[3],
            score=region.score,
            run=run,
        )
        for number, (kind, region) in enumerate(kinds_and_regions, start=1)
    )
    row_of = {id(region): row for (_, region), row in zip(kinds_and_regions, rows, strict=True)}
    return {
        id(line): row_of[id(block.region)]
        for block in arrangement.blocks
        if block.region is not None
        for line in block.lines
    }


FINISH_FIELDS = (
    "status",
    "error",
    "finished_at",
    "engine",
    "det_model",
    "rec_model",
    "device",
    "settings_key",
    "reused_from",
    "line_count",
    "seconds",
)


def _finish(run: OcrRun, status: str, *, error: str = "") -> bool:
    """End a running run; False when someone (the sweep) ended it first."""
    run.status, run.error, run.finished_at = status, error, timezone.now()
    values = {name: getattr(run, name) for name in FINISH_FIELDS}
    return bool(OcrRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(**values))


def _fail_page(run: OcrRun, reason: str) -> None:
    with transaction.atomic():
        if _finish(run, RunStatus.FAILED, error=reason):
            _give_up(run, reason)


def _give_up(run: OcrRun, reason: str) -> None:
    """Mark the page failed, or, when it had text before this re-run, keep its text and status."""
    pages = Page.objects.filter(pk=run.page_id, status__in=queueing.IN_FLIGHT)
    if (
        run.page_status_before in queueing.HAS_TEXT
        and TextLine.objects.filter(page_id=run.page_id).exists()
    ):
        pages.update(
            status=run.page_status_before,
            error=f"recognizing again failed, earlier text kept: {reason}",
            updated_at=timezone.now(),
        )
    else:
        pages.update(status=PageStatus.FAILED, error=reason, updated_at=timezone.now())


def _retry_or_fail(run: OcrRun, reason: str, *, backoff: bool = True) -> bool:
    """End a run that failed for a reason that may pass: queue another attempt, or give up.

    False when the run had already been ended by someone else."""
    with transaction.atomic():
        if not _finish(run, RunStatus.FAILED, error=reason):
            return False
        if run.attempt > settings.OCR_MAX_RETRIES:
            _give_up(run, f"gave up after {run.attempt} attempts: {reason}")
            return True
        delay = settings.OCR_RETRY_BACKOFF * 2 ** (run.attempt - 1) if backoff else 0
        note = f"retrying in {delay} s: {reason}" if delay else f"{reason}; queued again"
        queueing.requeue(run, reason=note, delay_seconds=delay)
        return True


def stuck_runs(limits: queueing.StuckLimits):
    """Runs whose worker died (killed, out of memory) mid-recognition."""
    limit = timezone.now() - limits.running
    return OcrRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=limit).order_by("pk")


def sweep_stuck_runs(limits: queueing.StuckLimits | None = None) -> int:
    """Queue again the pages whose worker died mid-recognition, and hand over again the runs
    the broker never took; ``limits`` defaults to the settings' (``StuckLimits``)."""
    limits = limits or queueing.StuckLimits.from_settings()
    swept = sum(
        _retry_or_fail(run, "worker stopped during recognition", backoff=False)
        for run in stuck_runs(limits)
    )
    resubmitted = queueing.resubmit_lost_runs(limits)
    if swept or resubmitted:
        logger.warning(
            "ocr sweep: %s stuck page(s) queued again, %s lost task(s) resubmitted",
            swept,
            resubmitted,
        )
    return swept + resubmitted
