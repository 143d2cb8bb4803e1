"""The page screen: recognition status and error are set by the OCR pipeline, never by hand."""

from books.models import Page, PageStatus
from tests.factories import make_book


def _page():
    make_book(1, volumes=1, pages=2, statuses=(PageStatus.FAILED,))
    page = Page.objects.order_by("sequence").first()
    Page.objects.filter(pk=page.pk).update(error="engine crashed: out of memory")
    page.refresh_from_db()
    return page


def _url(page):
    return f"/admin/books/page/{page.pk}/change/"


def test_status_and_error_are_shown_but_not_editable(admin_client):
    page = _page()

    response = admin_client.get(_url(page))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="status"' not in html
    assert 'name="error"' not in html
    assert "engine crashed: out of memory" in html  # still shown, read-only
    assert 'name="sequence"' in html  # the rest of the form is still editable
    form = response.context["adminform"].form
    assert "status" not in form.fields and "error" not in form.fields


def test_posting_status_or_error_changes_nothing(admin_client):
    page = _page()

    response = admin_client.post(
        _url(page),
        {
            "volume": page.volume_id,
            "sequence": page.sequence,
            "status": PageStatus.REVIEWED,
            "error": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert page.status == PageStatus.FAILED
    assert page.error == "engine crashed: out of memory"
