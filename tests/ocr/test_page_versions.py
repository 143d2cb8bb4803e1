"""Recognizing a page again never loses corrections; every replaced text is a version that
can be restored."""

import pytest
from django.core.management import CommandError, call_command

from books.models import Page, PageStatus
from ocr import corrections, line_structure, page_versions, queueing, recognition
from ocr.carry_over import carry_corrections
from ocr.engine import RecognizedLine
from ocr.models import LineAction, OcrRun, PageVersion, RunStatus, TextLine, VersionReason
from tests.ocr.factories import ENGLISH_PAGE, add_page, make_volume
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = pytest.mark.django_db


def engine_line(box, text="new"):
    x0, y0, x1, y1 = box
    return RecognizedLine([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], box, text, 0.9)


def stored_line(box, text, engine_text="old", pk=1):
    x0, y0, x1, y1 = box
    polygon = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    return TextLine(
        pk=pk, order=pk, polygon=polygon, x0=x0, y0=y0, x1=x1, y1=y1,
        engine_text=engine_text, text=text, confidence=0.5,
    )  # fmt: skip


# --- matching corrections to new lines ---------------------------------------------------------


def test_a_correction_goes_onto_the_new_line_over_it_one_to_one():
    old = [
        stored_line((10, 10, 200, 30), "fixed A", pk=1),
        stored_line((10, 40, 200, 60), "B", pk=2),
    ]
    new = [
        engine_line((12, 41, 198, 61)),
        engine_line((11, 9, 201, 31)),
        engine_line((10, 90, 200, 110)),
    ]

    carry = carry_corrections(old, new)

    assert carry.lines == new
    assert carry.correction_of(new[1]).text == "fixed A"
    assert carry.correction_of(new[0]).text == "B"
    assert carry.correction_of(new[2]) is None and not carry.kept


def test_a_correction_no_new_line_matches_is_kept_and_the_pieces_under_it_are_dropped():
    # The new recognition split the corrected line in two: neither half overlaps it enough.
    old = [stored_line((10, 10, 400, 30), "one corrected line", pk=1)]
    left, right = engine_line((10, 10, 190, 30), "one"), engine_line((210, 10, 400, 30), "line")
    elsewhere = engine_line((10, 300, 400, 320), "another")

    carry = carry_corrections(old, [left, right, elsewhere])

    assert carry.dropped == [left, right]
    kept = [line for line in carry.lines if carry.is_kept(line)]
    assert [line.box for line in kept] == [(10, 10, 400, 30)]
    assert carry.correction_of(kept[0]).text == "one corrected line"
    assert elsewhere in carry.lines and carry.correction_of(elsewhere) is None


def test_little_overlap_is_no_match():
    old = [stored_line((0, 0, 100, 20), "fixed", pk=1)]
    new = [engine_line((60, 0, 160, 20))]  # IoU 0.25, and mostly outside the old box
    carry = carry_corrections(old, new)
    assert carry.correction_of(new[0]) is None
    assert new[0] in carry.lines and len(carry.lines) == 2


# --- re-recognition with the real engine ---------------------------------------------------------


def recognize_now(page, **options):
    result = queueing.enqueue_pages([page.pk], **options)
    assert result.queued == [page.pk], result.message()
    run = recognition.recognize(OcrRun.objects.get(page=page, status=RunStatus.QUEUED).pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def snapshot(page):
    return list(
        TextLine.objects.filter(page=page)
        .order_by("order")
        .values_list("order", "text", "engine_text", "x0", "y0", "x1", "y1")
    )


@pytest.mark.slow
def test_recognizing_again_keeps_corrections_and_the_old_text_can_be_restored(ocr_models):
    page = add_page(make_volume(), ENGLISH_PAGE)
    recognize_now(page)
    carol = make_user("carol", "Correctors")
    third = TextLine.objects.get(page=page, order=3)
    corrections.save_line(third.pk, "Corrected by Carol", third.version, carol)
    added = line_structure.add_line(
        page.pk, corrections.Box(40, 1400, 600, 1440), "A line the engine missed", carol
    )
    before = snapshot(page)
    engine_lines = len(before) - 1

    librarian = make_user("libby", "Librarians")
    run = recognize_now(page, force=True, user=librarian)

    lines = {line.text: line for line in TextLine.objects.filter(page=page)}
    assert "Corrected by Carol" in lines and "A line the engine missed" in lines
    kept = lines["Corrected by Carol"]
    assert (kept.x0, kept.y0) == (third.x0, third.y0) and kept.engine_text == third.engine_text
    assert kept.corrected_by == carol and kept.run == run
    # The hand-drawn line keeps its box and is read last, where it stands on the page.
    missed = lines["A line the engine missed"]
    assert missed.box == added.box and missed.order == len(lines)
    assert run.line_count == engine_lines == len(lines) - 1
    # The corrected line's history goes on under its new row.
    assert list(kept.revisions.order_by("id").values_list("action", flat=True)) == [
        LineAction.EDIT,
        LineAction.KEPT,
    ]
    version = PageVersion.objects.get(page=page)
    assert version.reason == VersionReason.RECOGNIZED_AGAIN and version.run == run
    assert (version.line_count, version.corrected_count, version.user) == (
        len(before),
        2,
        librarian,
    )

    replaced = page_versions.restore(page.pk, version.pk, carol)

    assert snapshot(page) == before
    assert replaced.reason == VersionReason.RESTORE and replaced.user == carol
    assert PageVersion.objects.filter(page=page).count() == 2


@pytest.mark.slow
def test_discarding_corrections_replaces_them_and_the_version_brings_them_back(ocr_models):
    page = add_page(make_volume(), ENGLISH_PAGE)
    recognize_now(page)
    line = TextLine.objects.get(page=page, order=1)
    corrections.save_line(line.pk, "Corrected by a person", line.version, None)

    recognize_now(page, force=True, keep_corrections=False)

    assert not TextLine.objects.filter(page=page, text="Corrected by a person").exists()
    superseded = page.line_revisions.get(action=LineAction.SUPERSEDED)
    assert superseded.text_before == "Corrected by a person"
    page_versions.restore(page.pk, PageVersion.objects.get(page=page).pk, None)
    assert TextLine.objects.get(page=page, order=1).text == "Corrected by a person"


# --- restoring ---------------------------------------------------------------------------------


def versioned_page():
    """A page whose first line was corrected, then replaced: one version holds the fix."""
    page = make_page_with_lines(3)
    first = page.lines.get(order=1)
    corrections.save_line(first.pk, "fixed", first.version, None)
    version = page_versions.keep_version(page.pk, VersionReason.RECOGNIZED_AGAIN)
    TextLine.objects.filter(pk=first.pk).update(text=first.engine_text)
    return page, version


def test_a_restore_can_be_undone_by_restoring_the_version_it_made():
    page, version = versioned_page()
    replaced = page_versions.restore(page.pk, version.pk, None)
    assert page.lines.get(order=1).text == "fixed"
    page_versions.restore(page.pk, replaced.pk, None)
    assert page.lines.get(order=1).text == "engine line 1"
    assert page.lines.count() == 3


def test_an_edit_made_on_a_line_a_restore_replaced_is_refused_not_lost():
    page, version = versioned_page()
    stale = page.lines.get(order=2)
    page_versions.restore(page.pk, version.pk, None)
    with pytest.raises(corrections.LineGone):
        corrections.save_line(stale.pk, "typed on the old screen", stale.version, None)


def test_a_page_being_recognized_cannot_be_restored():
    page, version = versioned_page()
    Page.objects.filter(pk=page.pk).update(status=PageStatus.QUEUED)
    with pytest.raises(corrections.PageNotReviewable):
        page_versions.restore(page.pk, version.pk, None)
    assert page.lines.get(order=1).text == "engine line 1"


def test_a_version_of_another_page_is_not_restored():
    _, version = versioned_page()
    other = make_page_with_lines(2, number=2)
    with pytest.raises(page_versions.VersionGone):
        page_versions.restore(other.pk, version.pk, None)


def test_the_command_refuses_discarding_without_force():
    make_page_with_lines(1)
    with pytest.raises(CommandError, match="only applies with --force"):
        call_command("recognize", "--book", "book-1", "--discard-corrections")


# --- the review screen and the API ------------------------------------------------------------


def test_the_review_screen_lists_versions_and_restores_one(client):
    page, version = versioned_page()
    client.force_login(make_user("carol", "Correctors"))
    screen = client.get(f"/admin/books/page/{page.pk}/review/")
    assert [v["pk"] for v in screen.context["versions"]] == [version.pk]
    url = f"/admin/books/page/{page.pk}/review/versions/{version.pk}/restore/"
    assert url.encode() in screen.content

    assert client.get(url).status_code == 403  # only POST changes anything
    response = client.post(url)

    assert response.status_code == 302
    assert page.lines.get(order=1).text == "fixed"


def test_an_api_reader_sees_versions_but_may_not_restore(client):
    from tests.api.conftest import ensure_api_roles, token_client

    ensure_api_roles()
    page, version = versioned_page()
    reader = token_client(make_user("robot", "API readers", staff=False))
    listed = reader.get(f"/api/v1/pages/{page.pk}/versions/")
    assert listed.status_code == 200
    assert [(v["id"], v["corrected_count"]) for v in listed.json()] == [(version.pk, 1)]
    detail = reader.get(f"/api/v1/pages/{page.pk}/versions/{version.pk}/")
    assert detail.json()["lines"][0]["text"] == "fixed"
    restore = f"/api/v1/pages/{page.pk}/versions/{version.pk}/restore"
    assert reader.post(restore).status_code == 403

    corrector = token_client(make_user("carol", "Correctors", staff=False))
    response = corrector.post(restore)
    assert response.status_code == 200, response.content
    assert response.json()["lines"][0]["text"] == "fixed"
    assert response.json()["replaced"]["reason"] == "restore"
    assert corrector.post(f"/api/v1/pages/{page.pk}/versions/999999/restore").status_code == 404


def test_a_correction_split_in_two_loses_no_text_when_the_engine_reads_the_whole_line():
    # The corrector split a line in A (60%, corrected) and B (40%, as read); the engine
    # reads the whole line again. A does not match the whole line: both stay.
    a = stored_line((0, 0, 60, 20), "A fixed", engine_text="A", pk=1)
    whole = engine_line((0, 0, 100, 20), "A B")
    carry = carry_corrections([a], [whole])
    assert whole in carry.lines and carry.correction_of(whole) is None
    assert [carry.correction_of(line).text for line in carry.lines if carry.is_kept(line)] == [
        "A fixed"
    ]


def test_new_lines_under_several_kept_corrections_together_are_dropped():
    pieces = [stored_line((x, 0, x + 33, 20), f"p{x}", pk=x + 1) for x in (0, 33, 66)]
    whole = engine_line((0, 0, 99, 20), "whole")
    carry = carry_corrections(pieces, [whole])
    assert carry.dropped == [whole]  # a third under each, wholly under the three


def test_a_restored_line_keeps_its_history():
    page, version = versioned_page()
    page_versions.restore(page.pk, version.pk, None)
    restored = page.lines.get(order=1)
    actions = list(restored.revisions.order_by("id").values_list("action", flat=True))
    assert actions == [LineAction.EDIT, LineAction.RESTORED]
