"""The review screen over HTTP (Django's test client): form posts, JSON, permissions."""

import json

import pytest
from django.contrib.auth.models import Permission

from books.models import Page, PageStatus
from ocr import corrections
from ocr.models import LineAction, LineRevision, PageReview, TextLine
from ocr.review_common import token
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = pytest.mark.django_db


def url(page, suffix=""):
    return f"/admin/books/page/{page.pk}/review/{suffix}"


def lines_of(page):
    return list(page.lines.order_by("order"))


def form_data(page, **changes):
    """What the plain form posts: every line's text and the token it was shown with."""
    data = {}
    for line in lines_of(page):
        data[f"t{line.pk}"] = line.text
        data[f"v{line.pk}"] = token(line.version, line.text)
    data.update(changes)
    return data


def save_json(client, page, lines):
    return client.post(
        url(page, "save/"),
        json.dumps({"lines": lines}),
        content_type="application/json",
        headers={"accept": "application/json"},
    )


def test_the_screen_shows_every_line_in_reading_order_with_its_box_and_the_counts(admin_client):
    page = make_page_with_lines(4, confidence=lambda n: 0.5 if n == 2 else 0.95)
    first = lines_of(page)[0]
    corrections.save_line(first.pk, "fixed", 1, None)

    response = admin_client.get(url(page))

    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'value="{text}"') for text in ("fixed", "engine line 2")]
    assert positions == sorted(positions)
    assert html.count("<polygon ") == 4
    assert 'points="10,20 190,20 190,35 10,35"' in html
    assert response.context["counts"] == {"lines": 4, "low": 1, "corrected": 1}
    low = lines_of(page)[1]
    assert f'<li id="l{low.pk}" data-id="{low.pk}" class="low ' in html
    assert 'src="/static/ocr/review.js"' in html
    assert 'action=""' in html and 'name="_action" value="save_next"' not in html  # one page


def test_a_plain_form_post_saves_only_the_changed_lines_and_keeps_others_edits(admin_client):
    page = make_page_with_lines(3)
    one, two, _ = lines_of(page)
    data = form_data(page, **{f"t{two.pk}": "second fixed"})
    # Meanwhile someone else corrects line 1, which this corrector did not touch.
    corrections.save_line(one.pk, "first fixed by Bob", 1, make_user("bob"))

    response = admin_client.post(url(page), data)

    assert response.status_code == 302
    assert response.url == url(page)
    texts = [line.text for line in lines_of(page)]
    assert texts == ["first fixed by Bob", "second fixed", "engine line 3"]


def test_a_plain_form_conflict_shows_the_others_text_and_keeps_mine_in_the_field(admin_client):
    page = make_page_with_lines(2)
    one = lines_of(page)[0]
    data = form_data(page, **{f"t{one.pk}": "my reading"})
    corrections.save_line(one.pk, "Bob's reading", 1, make_user("bob"))

    response = admin_client.post(url(page), data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Bob&#x27;s reading" in html and "bob" in html
    assert 'value="my reading"' in html
    assert TextLine.objects.get(pk=one.pk).text == "Bob's reading"
    # Saving the re-shown form again keeps mine, over Bob's version.
    again = form_data(page, **{f"t{one.pk}": "my reading"})
    again[f"v{one.pk}"] = token(2, "Bob's reading")
    assert admin_client.post(url(page), again).status_code == 302
    assert TextLine.objects.get(pk=one.pk).text == "my reading"


def test_save_and_next_page_goes_to_the_next_page_of_the_book(admin_client):
    page = make_page_with_lines(2, pages=3)
    next_page = Page.objects.get(volume=page.volume, sequence=2)
    data = form_data(page, _action="save_next")

    response = admin_client.post(url(page), data)

    assert response.status_code == 302 and response.url == url(next_page)
    screen = admin_client.get(url(next_page)).content.decode()
    assert (
        f'href="{url(page)}"' in screen and f'href="{url(Page.objects.get(sequence=3))}"' in screen
    )


def test_json_save_answers_saved_lines_counts_and_conflicts(admin_client):
    page = make_page_with_lines(2)
    one, two = lines_of(page)
    corrections.save_line(two.pk, "Bob's", 1, make_user("bob"))

    response = save_json(
        admin_client,
        page,
        [
            {"id": one.pk, "text": "mine 1", "version": 1},
            {"id": two.pk, "text": "mine 2", "version": 1},
        ],
    )

    assert response.status_code == 409
    body = response.json()
    assert [(s["id"], s["text"], s["version"], s["corrected"]) for s in body["saved"]] == [
        (one.pk, "mine 1", 2, True)
    ]
    assert [(c["id"], c["text"], c["version"], c["by"], c["mine"]) for c in body["conflicts"]] == [
        (two.pk, "Bob's", 2, "bob", "mine 2")
    ]
    assert body["counts"] == {"lines": 2, "low": 0, "corrected": 2}


def test_a_line_of_another_page_cannot_be_saved_through_this_page(admin_client):
    page = make_page_with_lines(1, pages=2)
    other = Page.objects.get(volume=page.volume, sequence=2).lines.get()
    response = save_json(admin_client, page, [{"id": other.pk, "text": "x", "version": 1}])
    assert response.json()["gone"] == [other.pk]
    assert TextLine.objects.get(pk=other.pk).text == "engine line 1"


def test_marking_reviewed_by_form_and_json(client):
    page = make_page_with_lines(1, pages=2)
    carol = make_user("carol", "Correctors")
    client.force_login(carol)

    response = client.post(url(page), form_data(page, _action="reviewed"))
    assert response.status_code == 302
    assert Page.objects.get(pk=page.pk).status == PageStatus.REVIEWED
    assert PageReview.objects.get().user == carol

    second = Page.objects.get(volume=page.volume, sequence=2)
    response = client.post(url(second, "reviewed/"), headers={"accept": "application/json"})
    assert response.json() == {"status": "reviewed"}

    assert 'value="unreview"' in client.get(url(page)).content.decode()
    line = lines_of(page)[0]
    data = form_data(page, **{f"t{line.pk}": "typed before the undo"}, _action="unreview")
    response = client.post(url(page), data)  # the plain form's undo saves the edits too
    assert response.status_code == 302
    assert TextLine.objects.get(pk=line.pk).text == "typed before the undo"
    assert Page.objects.get(pk=page.pk).status == PageStatus.RECOGNIZED
    assert list(PageReview.objects.order_by("id").values_list("reviewed", flat=True)) == [
        True,
        True,
        False,
    ]


def test_viewers_without_change_permission_cannot_save_or_mark(client):
    page = make_page_with_lines(1)
    viewer = make_user("vera")
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_page", "view_textline"])
    )
    client.force_login(viewer)
    line = lines_of(page)[0]

    assert client.get(url(page)).status_code == 200
    assert "readonly" in client.get(url(page)).content.decode()
    assert save_json(client, page, [{"id": line.pk, "text": "x", "version": 1}]).status_code == 403
    assert client.post(url(page), form_data(page, **{f"t{line.pk}": "x"})).status_code == 403
    assert client.post(url(page, "reviewed/")).status_code == 403
    assert TextLine.objects.get(pk=line.pk).text == "engine line 1"
    assert Page.objects.get(pk=page.pk).status == PageStatus.RECOGNIZED


def test_users_without_view_permission_do_not_see_the_screen(client):
    page = make_page_with_lines(1)
    client.force_login(make_user("nobody"))
    assert client.get(url(page)).status_code == 403


def test_line_history_revert_and_delete_by_form(client):
    page = make_page_with_lines(2)
    line = lines_of(page)[0]
    corrections.save_line(line.pk, "bad fix", 1, make_user("bob"))
    carol = make_user("carol", "Correctors")
    client.force_login(carol)
    history_url = url(page, f"line/{line.pk}/")

    html = client.get(history_url).content.decode()
    assert "bad fix" in html and "engine line 1" in html and "bob" in html
    assert 'id="delete"' not in html  # a corrector is not offered delete ...

    response = client.post(history_url, {"action": "delete", "version": 2})
    assert response.status_code == 403  # ... and is refused it by the server
    assert TextLine.objects.filter(pk=line.pk).exists()

    response = client.post(history_url, {"action": "revert", "version": 2})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.text, line.corrected_by) == ("engine line 1", carol)
    assert LineRevision.objects.filter(line=line).first().action == LineAction.REVERT

    client.force_login(make_user("libby", "Librarians"))
    assert 'id="delete"' in client.get(history_url).content.decode()
    assert client.post(history_url, {"action": "delete", "version": 3}).status_code == 302
    assert not TextLine.objects.filter(pk=line.pk).exists()
    deleted = page.line_revisions.get(action=LineAction.DELETE)
    assert (deleted.order, deleted.text_before) == (1, "engine line 1")


def test_history_as_json_and_a_stale_revert_is_a_conflict(admin_client):
    page = make_page_with_lines(1)
    line = lines_of(page)[0]
    corrections.save_line(line.pk, "first", 1, None)
    history_url = url(page, f"line/{line.pk}/")

    body = admin_client.get(history_url, headers={"accept": "application/json"}).json()
    assert body["line"]["engine_text"] == "engine line 1"
    assert [(h["action"], h["before"], h["after"]) for h in body["history"]] == [
        ("Edited", "engine line 1", "first")
    ]
    response = admin_client.post(
        history_url, {"action": "revert", "version": 1}, headers={"accept": "application/json"}
    )
    assert response.status_code == 409
    assert response.json()["conflict"]["text"] == "first"


def test_adding_a_line_by_its_box_after_the_focused_line(client):
    page = make_page_with_lines(2)
    client.force_login(make_user("carol", "Correctors"))
    first = lines_of(page)[0]

    response = client.post(
        url(page, "add/"),
        json.dumps({"x0": 10, "y0": 70, "x1": 190, "y1": 80, "text": "new", "after": first.pk}),
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["line"]["order"] == 2 and body["counts"]["lines"] == 3
    assert [line.order for line in lines_of(page)] == [1, 2, 3]
    assert LineRevision.objects.get().action == LineAction.ADD


def test_a_line_added_without_a_place_is_read_where_its_box_stands(client):
    page = make_page_with_lines(3)  # lines at y 20, 40 and 60
    client.force_login(make_user("carol", "Correctors"))

    response = client.post(
        url(page, "add/"),
        json.dumps({"x0": 10, "y0": 56, "x1": 190, "y1": 59, "text": "between two and three"}),
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert [line.text for line in lines_of(page)] == [
        "engine line 1",
        "engine line 2",
        "between two and three",
        "engine line 3",
    ]


def test_an_added_line_left_empty_is_not_saved(client):
    page = make_page_with_lines(2)
    client.force_login(make_user("carol", "Correctors"))
    response = client.post(
        url(page, "add/"),
        json.dumps({"x0": 10, "y0": 70, "x1": 190, "y1": 80, "text": "  "}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "needs its text" in response.json()["error"]
    assert len(lines_of(page)) == 2


def test_the_book_page_shows_progress_and_review_opens_the_first_page_not_reviewed(admin_client):
    page = make_page_with_lines(2, pages=3)
    corrections.mark_reviewed(page.pk, None)
    corrections.save_line(lines_of(page)[0].pk, "fixed", 1, None)
    book = page.volume.book

    html = admin_client.get(f"/admin/books/book/{book.pk}/change/").content.decode()
    assert "dp-review-progress" in html
    assert "<td>3</td><td>100%</td><td>33%</td><td>1</td>" in html  # whole book

    response = admin_client.get(f"/admin/books/book/{book.pk}/review/")
    second = Page.objects.get(volume=page.volume, sequence=2)
    assert response.status_code == 302 and response.url == url(second)
    response = admin_client.get(f"/admin/books/volume/{page.volume_id}/review/?after={second.pk}")
    assert response.url == url(Page.objects.get(volume=page.volume, sequence=3))


def test_review_by_lowest_mean_confidence_first(admin_client):
    page = make_page_with_lines(2, pages=3)
    third = Page.objects.get(volume=page.volume, sequence=3)
    third.lines.update(confidence=0.3)
    response = admin_client.get(f"/admin/books/book/{page.volume.book_id}/review/?order=confidence")
    assert response.url == url(third) + "?order=confidence"


def test_when_every_page_is_reviewed_review_says_so(admin_client):
    page = make_page_with_lines(1)
    corrections.mark_reviewed(page.pk, None)
    response = admin_client.get(f"/admin/books/book/{page.volume.book_id}/review/", follow=True)
    assert "is reviewed" in response.content.decode()


def test_a_page_being_recognized_again_warns_that_corrections_will_be_replaced(admin_client):
    page = make_page_with_lines(1)
    Page.objects.filter(pk=page.pk).update(status=PageStatus.QUEUED)
    html = admin_client.get(url(page)).content.decode()
    assert "being recognized again" in html
    assert 'value="reviewed"' not in html  # nothing to mark reviewed yet


def test_marking_reviewed_needs_its_permission_before_anything_is_saved(client):
    page = make_page_with_lines(1)
    editor = make_user("eddie")
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_page", "view_textline", "change_textline"])
    )
    client.force_login(editor)
    line = lines_of(page)[0]
    data = form_data(page, **{f"t{line.pk}": "edited"}, _action="reviewed")
    assert client.post(url(page), data).status_code == 403
    assert TextLine.objects.get(pk=line.pk).text == "engine line 1"
    assert client.post(url(page), {**data, "_action": "save"}).status_code == 302
    assert TextLine.objects.get(pk=line.pk).text == "edited"


def test_the_screen_draws_the_layout_regions_numbered_in_reading_order(admin_client):
    from tests.exports.factories import LAYOUT_PAGE, make_layout_book

    page = Page.objects.get(volume__book=make_layout_book())
    response = admin_client.get(url(page))
    assert response.status_code == 200
    shown = [(r["order"], r["kind"]) for r in response.context["regions"]]
    assert shown == [(n, kind) for n, (kind, _, _) in enumerate(LAYOUT_PAGE, start=1)]
    html = response.content.decode()
    assert html.count('<rect class="rv-region') == len(LAYOUT_PAGE)
    assert "<title>1. Running header</title>" in html and "<title>6. Page number</title>" in html
