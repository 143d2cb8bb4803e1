"""Page order within a volume: moving pages keeps every other page's relative order.

``(volume, sequence)`` is unique and checked row by row (PostgreSQL), so pages are shifted
through a range no page uses instead of one step at a time.
"""

from django.db import transaction
from django.db.models import F, Max

from books.models import Page, Volume

_SPARE = 1_000_000_000  # sequences at and above this are never used by real pages


def move_page(page: Page, sequence: int) -> Page:
    """Put ``page`` at ``sequence`` (clamped to its volume's pages); those between move by one."""
    with transaction.atomic():
        # Locks the volume (PostgreSQL): uploads and moves in it happen one after another.
        Volume.objects.select_for_update().filter(pk=page.volume_id).exists()
        pages = Page.objects.filter(volume_id=page.volume_id)
        old = pages.values_list("sequence", flat=True).get(pk=page.pk)
        last = pages.aggregate(last=Max("sequence"))["last"]
        target = min(max(1, sequence), last)
        if target != old:
            pages.filter(pk=page.pk).update(sequence=_SPARE - 1)
            if target < old:
                between, step = pages.filter(sequence__gte=target, sequence__lt=old), 1
            else:
                between, step = pages.filter(sequence__gt=old, sequence__lte=target), -1
            between.update(sequence=F("sequence") + _SPARE)
            pages.filter(sequence__gte=_SPARE, sequence__lt=_SPARE * 2).exclude(pk=page.pk).update(
                sequence=F("sequence") - _SPARE + step
            )
            pages.filter(pk=page.pk).update(sequence=target)
        page.sequence = target
    return page


def insert_pages(volume: Volume, pages: list[Page], position: int) -> None:
    """Move ``pages`` (just appended, in order) to ``position``; later pages move down.

    Call inside the transaction that appended them, with the volume locked."""
    ids = [page.pk for page in pages]
    later = Page.objects.filter(volume=volume, sequence__gte=position).exclude(pk__in=ids)
    later.update(sequence=F("sequence") + _SPARE)
    for index, page in enumerate(pages):
        page.sequence = position + index
        Page.objects.filter(pk=page.pk).update(sequence=page.sequence)
    Page.objects.filter(volume=volume, sequence__gte=_SPARE).update(
        sequence=F("sequence") - _SPARE + len(pages)
    )
