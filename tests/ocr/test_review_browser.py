"""The review screen in real headless Chromium: keyboard, saving, conflicts, roles."""

import re

import pytest

from books.models import Page, PageStatus
from ocr import corrections
from ocr.models import LineAction, LineRevision, TextLine
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def screen(tab, live_server, page):
    tab.goto(f"{live_server.url}/admin/books/page/{page.pk}/review/")
    expect(tab.locator("body.rv-ready")).to_be_visible()
    return tab


def lines(page):
    return list(TextLine.objects.filter(page=page).order_by("order"))


def texts(page):
    return [line.text for line in lines(page)]


def focused_id(tab) -> str:
    return tab.evaluate("document.activeElement.id")


def test_edit_with_the_keyboard_save_and_go_to_the_next_page(session_for, live_server):
    page = make_page_with_lines(images=True, count=3, pages=2)
    one, two, three = lines(page)
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)

    assert focused_id(tab) == f"t{one.pk}"
    tab.keyboard.press("Enter")
    assert focused_id(tab) == f"t{two.pk}"
    tab.keyboard.type(" fixed")
    expect(tab.locator(f"#l{two.pk}")).to_have_class(re.compile(r"(?=.*\bdirty\b)"))
    on_and_dirty = re.compile(r"(?=.*\bon\b)(?=.*\bdirty\b)")
    expect(tab.locator(f"#b{two.pk}")).to_have_class(on_and_dirty)  # its box, highlighted
    tab.keyboard.press("ArrowUp")
    assert focused_id(tab) == f"t{one.pk}"
    tab.keyboard.type(" oops")
    tab.keyboard.press("Escape")  # reverts this line only
    expect(tab.locator(f"#t{one.pk}")).to_have_value("engine line 1")
    expect(tab.locator(f"#t{two.pk}")).to_have_value("engine line 2 fixed")

    tab.keyboard.press("Control+s")
    expect(tab.locator("#rv-msg")).to_have_text("1 line(s) saved.")
    expect(tab.locator("#rv-corr")).to_have_text("1")
    assert texts(page) == ["engine line 1", "engine line 2 fixed", "engine line 3"]

    tab.locator(f"#t{three.pk}").focus()
    tab.keyboard.press("End")
    tab.keyboard.type("!")
    tab.keyboard.press("Alt+n")  # saves, then the next page
    following = Page.objects.get(volume=page.volume, sequence=2)
    tab.wait_for_url(f"**/admin/books/page/{following.pk}/review/")
    assert texts(page)[2] == "engine line 3!"
    history = LineRevision.objects.filter(page=page).order_by("id")
    assert [(r.text_after, r.user.username) for r in history] == [
        ("engine line 2 fixed", "carol"),
        ("engine line 3!", "carol"),
    ]


def test_a_conflict_from_a_second_session_shows_their_text_and_loses_nothing(
    session_for, live_server
):
    page = make_page_with_lines(images=True, count=2, pages=2)
    one = lines(page)[0]
    alice = screen(session_for(make_user("alice", "Correctors")), live_server, page)
    bob = screen(session_for(make_user("bob", "Correctors")), live_server, page)

    bob.locator(f"#t{one.pk}").fill("Bob's reading")
    bob.keyboard.press("Control+s")
    expect(bob.locator("#rv-msg")).to_have_text("1 line(s) saved.")

    alice.locator(f"#t{one.pk}").fill("Alice's reading")
    alice.keyboard.press("Alt+n")  # save, then the next page: the save conflicts, she stays
    conflict = alice.locator(f"#l{one.pk} .rv-conflict")
    expect(conflict).to_contain_text("Changed meanwhile by bob")
    expect(conflict.locator("q")).to_have_text("Bob's reading")
    expect(alice.locator(f"#t{one.pk}")).to_have_value("Alice's reading")  # hers, kept
    assert alice.url.endswith(f"/admin/books/page/{page.pk}/review/")
    assert texts(page)[0] == "Bob's reading"

    conflict.get_by_role("button", name="Keep mine").click()
    alice.keyboard.press("Alt+n")
    following = Page.objects.get(volume=page.volume, sequence=2)
    alice.wait_for_url(f"**/admin/books/page/{following.pk}/review/")
    assert texts(page)[0] == "Alice's reading"
    assert [r.text_after for r in LineRevision.objects.order_by("id")] == [
        "Bob's reading",
        "Alice's reading",
    ]


def test_the_same_user_in_two_tabs_gets_the_conflict_too(session_for, live_server):
    page = make_page_with_lines(images=True, count=1)
    line = lines(page)[0]
    carol = make_user("carol", "Correctors")
    first, second = (screen(session_for(carol), live_server, page) for _ in range(2))

    first.locator(f"#t{line.pk}").fill("from tab one")
    first.keyboard.press("Control+s")
    expect(first.locator("#rv-msg")).to_have_text("1 line(s) saved.")
    second.locator(f"#t{line.pk}").fill("from tab two")
    second.keyboard.press("Control+s")
    expect(second.locator(f"#l{line.pk} .rv-conflict q")).to_have_text("from tab one")
    assert texts(page) == ["from tab one"]


def test_revert_to_engine_text_from_the_line_history(session_for, live_server):
    page = make_page_with_lines(images=True, count=2)
    line = lines(page)[1]
    corrections.save_line(line.pk, "a wrong fix", 1, make_user("bob"))
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)

    tab.locator(f"#t{line.pk}").focus()
    tab.keyboard.press("Alt+h")
    pop = tab.locator("#rv-pop")
    expect(pop).to_contain_text("Engine read: engine line 2")
    expect(pop).to_contain_text("a wrong fix")
    pop.get_by_role("button", name="Revert to engine text").click()

    expect(tab.locator(f"#t{line.pk}")).to_have_value("engine line 2")
    expect(tab.locator("#rv-corr")).to_have_text("0")
    assert texts(page)[1] == "engine line 2"
    assert LineRevision.objects.order_by("-id").first().action == LineAction.REVERT


def test_mark_reviewed_with_the_keyboard(session_for, live_server):
    page = make_page_with_lines(images=True, count=2)
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)
    tab.keyboard.type(" edited first")
    tab.keyboard.press("Alt+r")  # saves the edit, then marks
    expect(tab.locator("#rv-status")).to_have_text("Reviewed")
    assert Page.objects.get(pk=page.pk).status == PageStatus.REVIEWED
    assert texts(page)[0] == "engine line 1 edited first"
    tab.get_by_role("button", name="Not reviewed after all").click()
    expect(tab.locator("#rv-status")).to_have_text("Recognized")
    assert Page.objects.get(pk=page.pk).status == PageStatus.RECOGNIZED


def test_a_corrector_is_not_offered_delete_and_the_server_refuses_it(session_for, live_server):
    page = make_page_with_lines(images=True, count=2)
    line = lines(page)[0]
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)

    tab.keyboard.press("Alt+h")
    expect(tab.locator("#rv-pop")).to_contain_text("Revert to engine text")
    expect(tab.get_by_role("button", name="Delete line")).to_have_count(0)
    status = tab.evaluate(
        """async (url) => (await fetch(url, {method: "POST", headers: {
               "X-CSRFToken": document.querySelector("[name=csrfmiddlewaretoken]").value},
               body: new URLSearchParams({action: "delete", version: "1"})})).status""",
        f"/admin/books/page/{page.pk}/review/line/{line.pk}/",
    )
    assert status == 403
    assert TextLine.objects.filter(pk=line.pk).exists()


def test_a_librarian_deletes_a_false_line(session_for, live_server):
    page = make_page_with_lines(images=True, count=3)
    line = lines(page)[1]
    tab = screen(session_for(make_user("libby", "Librarians")), live_server, page)
    tab.locator(f"#t{line.pk}").focus()
    tab.keyboard.press("Alt+h")
    tab.once("dialog", lambda dialog: dialog.accept())
    tab.get_by_role("button", name="Delete line").click()
    expect(tab.locator(f"#l{line.pk}")).to_have_count(0)
    expect(tab.locator("#rv-n")).to_have_text("2")
    assert LineRevision.objects.get().action == LineAction.DELETE


def test_unsaved_edits_survive_leaving_the_page(session_for, live_server):
    page = make_page_with_lines(images=True, count=2, pages=2)
    one = lines(page)[0]
    url = f"{live_server.url}/admin/books/page/{page.pk}/review/"
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)
    tab.keyboard.type(" not yet saved")

    tab.goto(url)  # a reload, a crash, a closed tab: the draft is kept in the browser
    expect(tab.locator(f"#t{one.pk}")).to_have_value("engine line 1 not yet saved")
    expect(tab.locator("#rv-msg")).to_contain_text("1 unsaved edit(s) from your last visit")
    tab.get_by_role("link", name="Next ›").click()  # following a link saves first
    tab.wait_for_url("**/review/")
    tab.wait_for_function(f"!location.pathname.endsWith('/{page.pk}/review/')")
    assert texts(page)[0] == "engine line 1 not yet saved"


def test_clicking_a_box_focuses_its_line_and_low_confidence_only(session_for, live_server):
    page = make_page_with_lines(images=True, count=4, confidence=lambda n: 0.4 if n == 3 else 0.97)
    three = lines(page)[2]
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)

    tab.locator(f"#b{three.pk}").click()
    assert focused_id(tab) == f"t{three.pk}"
    expect(tab.locator(f"#l{three.pk}")).to_have_class(re.compile(r"(?=.*\blow\b)(?=.*\bon\b)"))
    expect(tab.locator("#rv-low")).to_have_text("1")
    tab.keyboard.press("Alt+l")
    expect(tab.locator("#rv-lines li:visible")).to_have_count(1)
    tab.keyboard.press("Alt+l")
    expect(tab.locator("#rv-lines li:visible")).to_have_count(4)


def draw(tab, top: float, bottom: float):
    """Alt+A, then a box dragged across the image from 20% to 80% of its width."""
    tab.keyboard.press("Alt+a")
    box = tab.locator("#rv-canvas").bounding_box()
    tab.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * top)
    tab.mouse.down()
    tab.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * bottom, steps=5)
    tab.mouse.up()


def test_adding_a_missed_line_by_drawing_its_box(session_for, live_server):
    page = make_page_with_lines(images=True, count=2)
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)
    draw(tab, 0.6, 0.65)
    expect(tab.locator("#rv-lines li.rv-new")).to_have_count(1)
    expect(tab.locator("#rv-n")).to_have_text("2")  # nothing stored before it has text
    tab.keyboard.type("the missed line")
    tab.keyboard.press("Control+s")
    expect(tab.locator("#rv-msg")).to_contain_text("1 new line(s) saved")
    expect(tab.locator("#rv-n")).to_have_text("3")
    added = TextLine.objects.get(page=page, engine_text="")
    assert added.text == "the missed line"
    assert 150 < added.y0 < added.y1 < 220  # 60% to 65% of the 300 px page
    actions = list(LineRevision.objects.order_by("id").values_list("action", flat=True))
    assert actions == [LineAction.ADD]
    expect(tab.locator(f"#l{added.pk} label")).to_have_text("3")  # read after both lines


def test_a_drawn_line_left_empty_is_not_saved_and_esc_removes_it(session_for, live_server):
    page = make_page_with_lines(images=True, count=2)
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)
    draw(tab, 0.6, 0.65)
    tab.keyboard.press("Control+s")
    tab.keyboard.press("Escape")
    expect(tab.locator("#rv-lines li.rv-new")).to_have_count(0)
    assert focused_id(tab).startswith("t")  # back on a line, not lost
    assert TextLine.objects.filter(page=page).count() == 2


def test_the_screen_works_as_a_plain_form_without_javascript(session_for, live_server):
    page = make_page_with_lines(images=True, count=2)
    two = lines(page)[1]
    tab = session_for(make_user("carol", "Correctors"), javascript=False)
    tab.goto(f"{live_server.url}/admin/books/page/{page.pk}/review/")
    tab.locator(f"#t{two.pk}").fill("saved without script")
    tab.get_by_role("button", name="Save", exact=True).click()
    expect(tab.locator(".messagelist")).to_contain_text("1 line(s) saved.")
    assert texts(page) == ["engine line 1", "saved without script"]


def test_an_unsaved_edit_on_a_line_that_went_meanwhile_is_shown_not_dropped(
    session_for, live_server
):
    from ocr import line_structure

    page = make_page_with_lines(images=True, count=3)
    two = lines(page)[1]
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)
    tab.locator(f"#t{two.pk}").fill("typed, never saved")
    tab.locator(f"#t{two.pk}").dispatch_event("input")
    line_structure.delete_line(two.pk, two.version, None)  # the line goes meanwhile

    again = tab.context.new_page()  # the same browser's storage, as after a crash
    again.goto(f"{live_server.url}/admin/books/page/{page.pk}/review/")
    expect(again.locator("body.rv-ready")).to_be_visible()
    expect(again.locator("#rv-msg")).to_contain_text("belong to lines that no longer exist")
    expect(again.locator("#rv-msg li")).to_have_text("typed, never saved")
    again.reload()  # still kept: nothing is dropped until the corrector says so
    expect(again.locator("#rv-msg li")).to_have_text("typed, never saved")
    again.get_by_role("button", name="Forget them").click()
    again.reload()
    expect(again.locator("#rv-msg")).to_be_empty()
