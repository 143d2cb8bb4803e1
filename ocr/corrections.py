"""Correcting a page's lines: the one service the review screen, the admin and the API call.

Every change locks the page row first (``select_for_update``), as recognition does when it
replaces a page's lines, so an edit and a forced re-recognition happen one after the other,
never interleaved. Every change of a line is a conditional UPDATE on the version the editor
saw: a stale version raises ``Conflict`` with the other's text, and nothing is written.
Every change leaves a ``LineRevision`` (who, when, text before and after); the engine's own
text is never overwritten.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from books.models import Page, PageStatus
from ocr.models import LineAction, LineRevision, PageReview, TextLine
from search.indexing import refresh_page

REVIEWABLE = (PageStatus.RECOGNIZED, PageStatus.REVIEWED)


class CorrectionError(Exception):
    """The change cannot be made; ``str()`` says why, for the person who tried."""


class LineGone(CorrectionError):
    """The line no longer exists: deleted, or the page was recognized again."""

    def __init__(self, line_id: int):
        self.line_id = line_id
        super().__init__(
            f"Line {line_id} no longer exists: it was deleted or the page was recognized again."
        )


class Conflict(CorrectionError):
    """Someone saved the line since the editor loaded it; their text is kept and shown."""

    def __init__(self, line: TextLine):
        self.line_id = line.pk
        self.text = line.text
        self.version = line.version
        self.corrected_by = str(line.corrected_by) if line.corrected_by_id else ""
        self.corrected_at: datetime | None = line.corrected_at
        who = self.corrected_by or "someone"
        super().__init__(
            f"Line {line.order} was changed by {who} meanwhile; their text: {line.text!r}"
        )


class PageNotReviewable(CorrectionError):
    pass


@dataclass(frozen=True)
class Box:
    x0: int
    y0: int
    x1: int
    y1: int

    def __post_init__(self):
        if self.x1 <= self.x0 or self.y1 <= self.y0:
            raise CorrectionError("A line's box needs a positive width and height.")

    @property
    def polygon(self) -> list[list[int]]:
        return [[self.x0, self.y0], [self.x1, self.y0], [self.x1, self.y1], [self.x0, self.y1]]

    @property
    def fields(self) -> dict:
        """A line's geometry fields for this box: its polygon and edges."""
        return {"polygon": self.polygon, "x0": self.x0, "y0": self.y0, "x1": self.x1, "y1": self.y1}


def lock_page_of_line(line_id: int, page_id: int | None = None) -> int:
    """Lock the page row holding the line; its id. Call inside ``transaction.atomic``."""
    pages = Page.objects.select_for_update(of=("self",)).filter(lines__pk=line_id)
    if page_id is not None:
        pages = pages.filter(pk=page_id)
    page_id = pages.values_list("pk", flat=True).first()
    if page_id is None:
        raise LineGone(line_id)
    return page_id


def lock_page(page_id: int) -> str:
    status = (
        Page.objects.select_for_update().filter(pk=page_id).values_list("status", flat=True).first()
    )
    if status is None:
        raise CorrectionError(f"Page {page_id} does not exist.")
    return status


def current_line(line_id: int) -> TextLine:
    line = TextLine.objects.select_related("corrected_by").filter(pk=line_id).first()
    if line is None:
        raise LineGone(line_id)
    return line


def revision(
    line: TextLine, action: str, before: str, after: str, user, *, order_before=None
) -> LineRevision:
    """One step of the line's history, not yet saved (for ``bulk_create``)."""
    return LineRevision(
        page_id=line.page_id,
        line=line if line.pk and action != LineAction.DELETE else None,
        order=line.order,
        order_before=order_before,
        action=action,
        text_before=before,
        text_after=after,
        engine_text=line.engine_text,
        polygon=line.polygon,
        user=user if user is not None and user.pk else None,
    )


def record(
    line: TextLine, action: str, before: str, after: str, user, *, order_before=None
) -> LineRevision:
    """One step of the line's history, saved."""
    step = revision(line, action, before, after, user, order_before=order_before)
    step.save()
    return step


def save_line(
    line_id: int, text: str, expected_version: int, user, *, page_id: int | None = None
) -> TextLine:
    """Set a line's text if it is still at ``expected_version``; the saved line.

    Saving the text the line already has changes nothing (a repeated request is harmless,
    even when its version is stale). Saving the engine's text is recorded as a revert.
    ``page_id``: the line must be on that page (else ``LineGone``).
    """
    text = clean_text(text)
    with transaction.atomic():
        page_id = lock_page_of_line(line_id, page_id)
        line = current_line(line_id)
        if line.text == text:
            return line
        if line.version != expected_version:
            raise Conflict(line)
        now = timezone.now()
        updated = TextLine.objects.filter(pk=line_id, version=expected_version).update(
            text=text, version=F("version") + 1, corrected_by=user, corrected_at=now
        )
        if not updated:  # a writer that does not lock the page row got in between
            raise Conflict(current_line(line_id))
        before = line.text
        line.text, line.version = text, expected_version + 1
        line.corrected_by, line.corrected_at = user, now
        action = LineAction.REVERT if text == line.engine_text else LineAction.EDIT
        record(line, action, before, text, user)
        refresh_page(page_id)
    return line


def revert_to_engine(
    line_id: int, expected_version: int, user, *, page_id: int | None = None
) -> TextLine:
    """Put the engine's original text back (recorded in the history as a revert)."""
    engine_text = TextLine.objects.filter(pk=line_id).values_list("engine_text", flat=True).first()
    if engine_text is None:
        raise LineGone(line_id)
    return save_line(line_id, engine_text, expected_version, user, page_id=page_id)


@dataclass
class SaveResult:
    saved: list[TextLine] = field(default_factory=list)
    conflicts: list[tuple[Conflict, str]] = field(default_factory=list)  # (theirs, my text)
    gone: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.gone


def save_lines(edits, user, *, page_id: int | None = None) -> SaveResult:
    """Save several ``(line_id, text, expected_version)`` edits, each on its own.

    A conflict on one line does not stop the others; the result says what happened to each.
    """
    result = SaveResult()
    for line_id, text, version in edits:
        try:
            result.saved.append(save_line(line_id, text, version, user, page_id=page_id))
        except Conflict as conflict:
            result.conflicts.append((conflict, text))
        except LineGone:
            result.gone.append(line_id)
    return result


def mark_reviewed(page_id: int, user, *, reviewed: bool = True) -> str:
    """Mark a recognized page reviewed (or take the mark back); the page's new status."""
    target = PageStatus.REVIEWED if reviewed else PageStatus.RECOGNIZED
    with transaction.atomic():
        status = lock_page(page_id)
        if status not in REVIEWABLE:
            raise PageNotReviewable(
                f"Only a recognized page can be marked reviewed; this one is {status}."
            )
        if status != target:
            Page.objects.filter(pk=page_id).update(status=target, updated_at=timezone.now())
            PageReview.objects.create(page_id=page_id, reviewed=reviewed, user=user)
    return target


def clean_text(text: str) -> str:
    """One line of text: line breaks (a pasted paragraph) become spaces."""
    return " ".join(str(text).splitlines())
