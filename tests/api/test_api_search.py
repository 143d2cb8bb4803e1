"""GET /api/v1/search/: pages with their hit lines and boxes, for every reading role."""

import pytest

from books.models import PageStatus
from tests.search.pages import add_page, make_volume

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    volume = make_volume(title="Genealogy")
    first = add_page(volume, ["序言", "清河張氏族譜卷一", "始祖德明公"])
    second = add_page(volume, ["张氏迁居江夏"], status=PageStatus.REVIEWED)
    add_page(volume, ["李氏"])
    return first, second


def test_a_reader_finds_pages_with_hit_lines_offsets_and_boxes(reader, pages):
    first, second = pages
    answer = reader.get("/api/v1/search/", {"q": "张氏"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    by_page = {result["id"]: result for result in body["results"]}
    assert set(by_page) == {first.pk, second.pk}
    hit = by_page[first.pk]
    assert hit["hits"] == 1 and hit["book"] == first.volume.book_id
    assert hit["review_url"].startswith(f"/admin/books/page/{first.pk}/review/")
    assert "q=" in hit["review_url"]
    [line] = hit["lines"]
    assert (line["order"], line["text"], line["marks"]) == (2, "清河張氏族譜卷一", [[2, 4]])
    assert line["box"] == [10, 80, 990, 110] and len(line["polygon"]) == 4


def test_filters_and_pages_of_results(reader, pages):
    first, second = pages
    only_reviewed = reader.get("/api/v1/search/", {"q": "張氏", "status": "reviewed"}).json()
    assert [r["id"] for r in only_reviewed["results"]] == [second.pk]
    exact = reader.get("/api/v1/search/", {"q": "張氏", "exact_form": "true"}).json()
    assert [r["id"] for r in exact["results"]] == [first.pk]
    page_one = reader.get("/api/v1/search/", {"q": "氏", "page_size": 2}).json()
    assert page_one["count"] == 3 and len(page_one["results"]) == 2
    page_two = reader.get(page_one["next"]).json()
    assert len(page_two["results"]) == 1 and page_two["next"] is None
    assert page_two["previous"] is not None and "page=" not in page_two["previous"]


@pytest.mark.parametrize(
    "parameters, field",
    [
        ({}, "q"),
        ({"q": "-江夏"}, "q"),
        ({"q": "张氏", "status": "lost"}, "status"),
        ({"q": "张氏", "page_size": 1000}, "page_size"),
        ({"q": "张氏", "text": "other"}, "text"),
    ],
)
def test_a_query_that_cannot_be_searched_is_a_400_naming_the_parameter(
    reader, pages, parameters, field
):
    answer = reader.get("/api/v1/search/", parameters)
    assert answer.status_code == 400
    assert field in answer.json()["fields"]


def test_search_needs_a_login_and_the_right_to_read_pages(client, role_user, pages):
    from tests.api.conftest import token_client

    assert client.get("/api/v1/search/", {"q": "张氏"}).status_code == 401
    nobody = token_client(role_user(None))
    assert nobody.get("/api/v1/search/", {"q": "张氏"}).status_code == 403


def test_the_page_list_refuses_search_rather_than_ignoring_it(reader, pages):
    answer = reader.get("/api/v1/pages/", {"search": "张氏"})
    assert answer.status_code == 400
    assert "/api/v1/search/" in answer.json()["detail"]
