"""A page's earlier texts: kept whenever a re-recognition or a restore replaces its lines.

A version holds every line (order, box, polygon, engine and current text, confidence, who
corrected it) and the layout regions, as plain JSON, so it outlives the rows it was taken
from. Restoring one replaces the page's lines and regions with it, after keeping the text it
replaces as a version of its own: a restore can always be undone. Both run under the page
row lock, like every correction (``ocr.corrections``).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ocr.corrections import REVIEWABLE, CorrectionError, PageNotReviewable, lock_page, revision
from ocr.models import (
    LineAction,
    LineRevision,
    OcrRun,
    PageVersion,
    Region,
    TextLine,
    VersionReason,
)
from search.indexing import refresh_page

# Restoring replaces the page's lines: the corrector's right to change lines, and to make a
# version (the one keeping the replaced text).
RESTORE_PERMISSIONS = ("ocr.add_pageversion", "ocr.change_textline")


class VersionGone(CorrectionError):
    pass


def capture(page_id: int) -> tuple[list[dict], list[dict]]:
    """The page's lines and regions as stored now, as a version holds them."""
    regions = list(Region.objects.filter(page_id=page_id).order_by("order"))
    index_of = {region.pk: number for number, region in enumerate(regions)}
    history: dict[int, list[int]] = {}  # line id: its revisions, re-linked on restore
    for revision_id, line_id in LineRevision.objects.filter(
        page_id=page_id, line__isnull=False
    ).values_list("pk", "line_id"):
        history.setdefault(line_id, []).append(revision_id)
    lines = [
        {
            "order": line.order,
            "box": list(line.box),
            "polygon": line.polygon,
            "engine_text": line.engine_text,
            "text": line.text,
            "confidence": line.confidence,
            "vertical": line.vertical,
            "region": index_of.get(line.region_id),
            "run": line.run_id,
            "corrected_by": line.corrected_by_id,
            "corrected_at": line.corrected_at.isoformat() if line.corrected_at else None,
            "revisions": history.get(line.pk, []),
        }
        for line in TextLine.objects.filter(page_id=page_id).order_by("order")
    ]
    return lines, [
        {
            "order": region.order,
            "kind": region.kind,
            "box": list(region.box),
            "score": region.score,
            "run": region.run_id,
        }
        for region in regions
    ]


def keep_version(page_id: int, reason: str, *, user=None, run=None) -> PageVersion | None:
    """Keep the page's current text as a version (call with the page row locked); None when
    the page has no lines or regions to keep."""
    lines, regions = capture(page_id)
    if not lines and not regions:
        return None
    return PageVersion.objects.create(
        page_id=page_id,
        reason=reason,
        lines=lines,
        regions=regions,
        line_count=len(lines),
        corrected_count=sum(line["text"] != line["engine_text"] for line in lines),
        run=run,
        user=user if user is not None and user.pk else None,
    )


def restore(page_id: int, version_id: int, user) -> PageVersion | None:
    """Make the version the page's text again; the version now keeping the replaced text."""
    with transaction.atomic():
        status = lock_page(page_id)
        if status not in REVIEWABLE:
            raise PageNotReviewable(
                _("Only a recognized page can be restored; this one is %(status)s.")
                % {"status": status}
            )
        version = PageVersion.objects.filter(pk=version_id, page_id=page_id).first()
        if version is None:
            raise VersionGone(_("This page has no version %(id)s.") % {"id": version_id})
        replaced = keep_version(page_id, VersionReason.RESTORE, user=user)
        TextLine.objects.filter(page_id=page_id).delete()
        Region.objects.filter(page_id=page_id).delete()
        _write(page_id, version, user)
        refresh_page(page_id)
    return replaced


def _write(page_id: int, version: PageVersion, user) -> None:
    users = {line["corrected_by"] for line in version.lines} - {None}
    runs = {item["run"] for item in [*version.lines, *version.regions]} - {None}
    users &= set(get_user_model().objects.filter(pk__in=users).values_list("pk", flat=True))
    runs &= set(OcrRun.objects.filter(pk__in=runs).values_list("pk", flat=True))
    regions = Region.objects.bulk_create(
        Region(
            page_id=page_id,
            order=item["order"],
            kind=item["kind"],
            x0=item["box"][0],
            y0=item["box"][1],
            x1=item["box"][2],
            y1=item["box"][3],
            score=item["score"],
            run_id=item["run"] if item["run"] in runs else None,
        )
        for item in version.regions
    )
    lines = TextLine.objects.bulk_create(
        TextLine(
            page_id=page_id,
            order=item["order"],
            polygon=item["polygon"],
            x0=item["box"][0],
            y0=item["box"][1],
            x1=item["box"][2],
            y1=item["box"][3],
            engine_text=item["engine_text"],
            text=item["text"],
            confidence=item["confidence"],
            vertical=item["vertical"],
            region=regions[item["region"]] if item["region"] is not None else None,
            run_id=item["run"] if item["run"] in runs else None,
            corrected_by_id=item["corrected_by"] if item["corrected_by"] in users else None,
            corrected_at=parse_datetime(item["corrected_at"]) if item["corrected_at"] else None,
        )
        for item in version.lines
    )
    # Each line's history goes on under its restored row, with one more step saying so.
    for line, item in zip(lines, version.lines, strict=True):
        if item.get("revisions"):
            LineRevision.objects.filter(
                page_id=page_id, pk__in=item["revisions"], line__isnull=True
            ).update(line=line)
    LineRevision.objects.bulk_create(
        revision(line, LineAction.RESTORED, "", line.text, user) for line in lines
    )
