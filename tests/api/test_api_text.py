"""A page's lines, corrections with the version check and history, plain text, review."""

import pytest

from books.models import PageStatus
from ocr.models import LineAction, LineRevision, PageReview, TextLine
from tests.api.conftest import assert_error
from tests.factories import make_book
from tests.ocr.lines import make_page_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return make_page_with_lines(3)


def test_lines_of_a_page(reader, page):
    lines = reader.get(f"/api/v1/pages/{page.pk}/lines/").json()["lines"]
    assert [line["order"] for line in lines] == [1, 2, 3]
    first = lines[0]
    assert first["engine_text"] == first["text"] == "engine line 1"
    assert first["polygon"] == [[10, 20], [190, 20], [190, 35], [10, 35]]
    assert first["confidence"] == 0.95 and first["version"] == 1
    assert_error(reader.get("/api/v1/pages/999999/lines/"), 404)


def test_correct_many_lines_keeps_history(corrector, page):
    one, two, _ = page.lines.order_by("order")
    response = corrector.patch(
        f"/api/v1/pages/{page.pk}/lines/",
        {
            "lines": [
                {"id": one.pk, "text": "first\nfixed", "version": 1},
                {"id": two.pk, "text": "second fixed", "version": 1},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    saved = response.json()["lines"]
    assert [(line["text"], line["version"]) for line in saved] == [
        ("first fixed", 2),  # one line of text, as the review screen saves it
        ("second fixed", 2),
    ]
    revisions = LineRevision.objects.filter(page=page).order_by("id")
    assert [(r.action, r.text_before, r.text_after, r.user.username) for r in revisions] == [
        (LineAction.EDIT, "engine line 1", "first fixed", "correctors"),
        (LineAction.EDIT, "engine line 2", "second fixed", "correctors"),
    ]
    one.refresh_from_db()
    assert one.engine_text == "engine line 1"  # the engine's text is never overwritten


def test_conflict_is_409_with_the_current_text_and_version(corrector, librarian, page):
    one, two, _ = page.lines.order_by("order")
    # someone else saves line 1 first
    assert (
        librarian.patch(
            f"/api/v1/lines/{one.pk}/", {"text": "theirs", "version": 1}, format="json"
        ).status_code
        == 200
    )
    response = corrector.patch(
        f"/api/v1/pages/{page.pk}/lines/",
        {
            "lines": [
                {"id": one.pk, "text": "mine", "version": 1},
                {"id": two.pk, "text": "two ok", "version": 1},
            ]
        },
        format="json",
    )
    body = assert_error(response, 409, "version_conflict")
    assert body["conflicts"] == [
        {
            "id": one.pk,
            "text": "theirs",
            "version": 2,
            "corrected_by": "librarians",
            "corrected_at": body["conflicts"][0]["corrected_at"],
            "your_text": "mine",
        }
    ]
    assert [line["text"] for line in body["saved"]] == ["two ok"]
    one.refresh_from_db()
    assert one.text == "theirs" and one.version == 2
    # with the version from the conflict, the edit goes through
    ok = corrector.patch(f"/api/v1/lines/{one.pk}/", {"text": "mine", "version": 2}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 3


def test_single_line_conflict_and_gone(corrector, page):
    line = page.lines.first()
    corrector.patch(f"/api/v1/lines/{line.pk}/", {"text": "a", "version": 1}, format="json")
    body = assert_error(
        corrector.patch(f"/api/v1/lines/{line.pk}/", {"text": "b", "version": 1}, format="json"),
        409,
        "version_conflict",
    )
    assert (body["conflicts"][0]["text"], body["conflicts"][0]["version"]) == ("a", 2)
    assert_error(
        corrector.patch("/api/v1/lines/999999/", {"text": "b", "version": 1}, format="json"), 404
    )
    assert_error(corrector.patch(f"/api/v1/lines/{line.pk}/", {"text": "b"}, format="json"), 400)


def test_line_of_another_page_is_gone(corrector, page):
    other = make_page_with_lines(1, number=2)
    foreign = other.lines.get()
    body = assert_error(
        corrector.patch(
            f"/api/v1/pages/{page.pk}/lines/",
            {"lines": [{"id": foreign.pk, "text": "x", "version": 1}]},
            format="json",
        ),
        409,
    )
    assert body["gone"] == [foreign.pk]
    assert TextLine.objects.get(pk=foreign.pk).text == "engine line 1"
    assert_error(
        corrector.patch(f"/api/v1/pages/{page.pk}/lines/", {"lines": []}, format="json"), 400
    )


def test_page_text_corrected_by_default_engine_on_request(reader, corrector, page):
    line = page.lines.get(order=2)
    corrector.patch(f"/api/v1/lines/{line.pk}/", {"text": "二 fixed", "version": 1}, format="json")
    response = reader.get(f"/api/v1/pages/{page.pk}/text")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "engine line 1\n二 fixed\nengine line 3\n"
    engine = reader.get(f"/api/v1/pages/{page.pk}/text?source=engine").content.decode()
    assert engine == "engine line 1\nengine line 2\nengine line 3\n"
    body = assert_error(reader.get(f"/api/v1/pages/{page.pk}/text?source=ocr"), 400)
    assert "source" in body["fields"]
    assert_error(reader.get("/api/v1/pages/999999/text"), 404)


def test_mark_reviewed_and_take_it_back(corrector, page):
    url = f"/api/v1/pages/{page.pk}/review/"
    assert corrector.post(url, {}, format="json").json() == {"status": "reviewed"}
    assert corrector.post(url, {"reviewed": False}, format="json").json() == {
        "status": "recognized"
    }
    assert [r.reviewed for r in PageReview.objects.order_by("id")] == [True, False]
    new = make_book(5, volumes=1, pages=1, statuses=(PageStatus.NEW,)).volumes.get().pages.get()
    assert_error(
        corrector.post(f"/api/v1/pages/{new.pk}/review/", {}, format="json"), 409, "not_reviewable"
    )
