"""PATCH /pages/{id}/ moves a page within its volume; every other page keeps its order."""

import pytest

from books.models import Book, Volume
from tests.api.conftest import assert_error
from tests.api.test_api_upload import png, sequence_names, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def volume():
    return Volume.objects.create(book=Book.objects.create(slug="b", title="B"), sequence=1)


@pytest.fixture
def five_pages(librarian, volume):
    assert upload(librarian, volume, [png(n) for n in range(1, 6)]).status_code == 201
    return {page.original_name: page for page in volume.pages.all()}


def move(client, page, sequence):
    return client.patch(f"/api/v1/pages/{page.pk}/", {"sequence": sequence}, format="json")


@pytest.mark.parametrize(
    ("name", "to", "order"),
    [
        ("p4.png", 2, ["p1", "p4", "p2", "p3", "p5"]),  # earlier
        ("p1.png", 4, ["p2", "p3", "p4", "p1", "p5"]),  # later
        ("p2.png", 99, ["p1", "p3", "p4", "p5", "p2"]),  # past the end: last
        ("p3.png", 3, ["p1", "p2", "p3", "p4", "p5"]),  # where it is
    ],
)
def test_a_page_moves_and_the_pages_between_shift_by_one(
    librarian,
    volume,
    five_pages,
    name,
    to,
    order,
):
    response = move(librarian, five_pages[name], to)
    assert response.status_code == 200, response.json()
    assert response.json()["sequence"] == min(to, 5)
    assert sequence_names(volume) == [f"{n}.png" for n in order]
    assert list(volume.pages.order_by("sequence").values_list("sequence", flat=True)) == [
        1, 2, 3, 4, 5,
    ]  # fmt: skip


def test_moving_keeps_the_order_around_a_gap_left_by_a_deleted_page(
    librarian,
    volume,
    five_pages,
):
    five_pages["p3.png"].delete()
    assert move(librarian, five_pages["p5.png"], 1).status_code == 200
    assert sequence_names(volume) == ["p5.png", "p1.png", "p2.png", "p4.png"]


def test_only_roles_that_may_change_pages_move_them(
    corrector,
    reader,
    librarian,
    volume,
    five_pages,
):
    for client in (corrector, reader):
        assert_error(move(client, five_pages["p1.png"], 3), 403, "permission_denied")
    assert sequence_names(volume)[0] == "p1.png"


def test_a_bad_position_is_a_field_error(librarian, five_pages):
    response = move(librarian, five_pages["p1.png"], 0)
    assert_error(response, 400, "invalid")
    assert "sequence" in response.json()["fields"]
    assert_error(librarian.put(f"/api/v1/pages/{five_pages['p1.png'].pk}/", {}), 405, None)
