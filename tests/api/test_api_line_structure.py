"""Line structure through the API: add, move, split, merge, delete; exports follow the order."""

import pytest

from ocr.models import LineAction, LineRevision
from tests.api.conftest import assert_error
from tests.ocr.lines import make_page_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return make_page_with_lines(3)  # lines at y 20, 40, 60: "engine line 1" ... "3"


def page_text(client, page) -> list[str]:
    response = client.get(f"/api/v1/pages/{page.pk}/text")
    assert response.status_code == 200
    return response.content.decode().splitlines()


def test_a_corrector_adds_a_line_where_its_box_stands_and_an_empty_one_is_refused(corrector, page):
    added = corrector.post(
        f"/api/v1/pages/{page.pk}/lines/",
        {"box": [10, 56, 190, 59], "text": "missed"},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert page_text(corrector, page) == [
        "engine line 1",
        "engine line 2",
        "missed",
        "engine line 3",
    ]
    first = corrector.post(
        f"/api/v1/pages/{page.pk}/lines/", {"box": [0, 0, 9, 9], "text": "top", "after": 0},
        format="json",
    )  # fmt: skip
    assert first.json()["order"] == 1
    empty = corrector.post(
        f"/api/v1/pages/{page.pk}/lines/", {"box": [10, 90, 190, 99], "text": " "}, format="json"
    )
    assert_error(empty, 400, "invalid")
    flat = corrector.post(
        f"/api/v1/pages/{page.pk}/lines/", {"box": [10, 90, 10, 99], "text": "x"}, format="json"
    )
    assert_error(flat, 400, "invalid")


def test_move_split_merge_and_their_conflicts(corrector, page):
    one, two, three = page.lines.order_by("order")
    moved = corrector.post(
        f"/api/v1/lines/{three.pk}/move", {"version": 1, "after": 0}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["version"] == 2
    assert page_text(corrector, page) == ["engine line 3", "engine line 1", "engine line 2"]
    stale = corrector.post(f"/api/v1/lines/{three.pk}/move", {"version": 1, "after": two.pk})
    assert_error(stale, 409, "version_conflict")

    split = corrector.post(f"/api/v1/lines/{one.pk}/split", {"version": 1, "at": 7})
    assert split.status_code == 200, split.content
    assert [line["text"] for line in split.json()["lines"]] == ["engine", "line 1"]
    assert_error(corrector.post(f"/api/v1/lines/{two.pk}/split", {"version": 1, "at": 99}), 400)

    left, right = split.json()["lines"]
    merged = corrector.post(
        f"/api/v1/lines/{right['id']}/merge",
        {"version": right["version"], "line": left["id"], "line_version": left["version"]},
    )
    assert merged.status_code == 200, merged.content
    assert page_text(corrector, page) == ["engine line 3", "engine line 1", "engine line 2"]
    actions = set(LineRevision.objects.values_list("action", flat=True))
    assert {LineAction.MOVE, LineAction.SPLIT, LineAction.MERGE} <= actions


def test_deleting_a_line_is_a_librarians_act(corrector, librarian, page):
    line = page.lines.first()
    assert_error(corrector.delete(f"/api/v1/lines/{line.pk}/?version=1"), 403)
    assert_error(librarian.delete(f"/api/v1/lines/{line.pk}/"), 400, "invalid")
    assert_error(librarian.delete(f"/api/v1/lines/{line.pk}/?version=2"), 409)
    assert librarian.delete(f"/api/v1/lines/{line.pk}/?version=1").status_code == 204
    assert librarian.delete(f"/api/v1/lines/{line.pk}/?version=1").status_code == 404
    assert page.lines.count() == 2


def test_a_reader_changes_no_structure(reader, page):
    line = page.lines.first()
    for url, body in [
        (f"/api/v1/pages/{page.pk}/lines/", {"box": [1, 1, 9, 9], "text": "x"}),
        (f"/api/v1/lines/{line.pk}/move", {"version": 1, "after": 0}),
        (f"/api/v1/lines/{line.pk}/split", {"version": 1, "at": 2}),
    ]:
        assert_error(reader.post(url, body, format="json"), 403, "permission_denied")
    assert page.lines.count() == 3


def test_a_corrector_moves_a_region_and_the_text_follows(corrector, reader, page):
    from ocr.models import Region

    lines = list(page.lines.order_by("order"))
    for order, line in enumerate(lines, start=1):  # a region per line
        region = Region.objects.create(page=page, order=order, x0=0, y0=0, x1=9, y1=9)
        line.region = region
        line.save()
    first, _, third = Region.objects.filter(page=page).order_by("order")
    url = f"/api/v1/pages/{page.pk}/regions/{third.pk}/move"
    assert_error(reader.post(url, {"after": 0, "order": 3}), 403, "permission_denied")
    moved = corrector.post(url, {"after": 0, "order": 3})
    assert moved.status_code == 200, moved.content
    assert moved.json()[0]["id"] == third.pk
    assert page_text(corrector, page) == ["engine line 3", "engine line 1", "engine line 2"]
    assert_error(corrector.post(url, {"after": first.pk, "order": 3}), 409, "conflict")
    missing = f"/api/v1/pages/{page.pk}/regions/999999/move"
    assert_error(corrector.post(missing, {"after": 0, "order": 1}), 404)
    listed = corrector.get(f"/api/v1/pages/{page.pk}/regions/").json()
    assert [r["order"] for r in listed] == [1, 2, 3]
