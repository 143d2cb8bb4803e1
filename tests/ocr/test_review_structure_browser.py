"""The review screen in real headless Chromium: moving, splitting and joining lines, focus that
never gets lost, the character picker, and recognizing a corrected page again without losing
the corrections."""

import pytest
from django.core.management import call_command
from lxml import etree

from books.models import Page
from ocr import recognition
from ocr.models import OcrRun, RunStatus, TextLine
from tests.ocr.factories import ENGLISH_PAGE, add_page, make_volume
from tests.ocr.lines import make_page_with_lines, make_user
from tests.ocr.test_review_browser import draw, focused_id, screen, texts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"


def exported(page, fmt: str, tmp_path) -> bytes:
    output = tmp_path / f"out.{fmt}"
    call_command(
        "export", "--book", page.volume.book.slug, "--format", fmt, "--output", str(output)
    )
    return output.read_bytes()


def alto_lines(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    return [
        " ".join(word.get("CONTENT") for word in line.iter(f"{ALTO}String"))
        for line in root.iter(f"{ALTO}TextLine")
    ]


def test_a_line_added_by_drawing_and_moved_up_is_exported_in_its_new_place(
    session_for, live_server, tmp_path
):
    page = make_page_with_lines(images=True, count=3)  # lines at y 20, 40, 60 of 300
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)

    draw(tab, 0.3, 0.33)  # below every line (they end at 25% of the page): read last
    tab.keyboard.type("drawn line")
    tab.keyboard.press("Control+s")
    expect(tab.locator("#rv-n")).to_have_text("4")
    added = TextLine.objects.get(page=page, text="drawn line")
    assert texts(page)[-1] == "drawn line"

    tab.locator(f"#t{added.pk}").focus()
    tab.keyboard.press("Alt+ArrowUp")
    expect(tab.locator("#rv-msg")).to_contain_text("now line 3")
    tab.keyboard.press("Alt+ArrowUp")
    expect(tab.locator("#rv-msg")).to_contain_text("now line 2")
    assert focused_id(tab) == f"t{added.pk}"  # the moved line keeps the focus

    order = ["engine line 1", "drawn line", "engine line 2", "engine line 3"]
    assert texts(page) == order
    labels = tab.locator("#rv-lines li[data-id] label").all_inner_texts()
    assert labels == ["1", "2", "3", "4"]
    assert exported(page, "txt", tmp_path).decode().split("\n")[: len(order)] == order
    assert alto_lines(exported(page, "alto", tmp_path)) == order

    # The line's text can still be saved after the moves raised its version.
    tab.keyboard.type("!")
    tab.keyboard.press("Control+s")
    expect(tab.locator("#rv-msg")).to_have_text("1 line(s) saved.")
    assert texts(page)[1] == "drawn line!"


def test_a_line_is_dragged_by_its_handle_before_another(session_for, live_server):
    page = make_page_with_lines(images=True, count=3)
    one, _two, three = TextLine.objects.filter(page=page).order_by("order")
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)
    tab.locator(f"#l{three.pk} .rv-grip").drag_to(tab.locator(f"#l{one.pk}"))
    expect(tab.locator("#rv-msg")).to_contain_text("now line 1")
    assert texts(page) == ["engine line 3", "engine line 1", "engine line 2"]


def test_split_at_the_cursor_and_join_the_next_line(session_for, live_server):
    page = make_page_with_lines(images=True, count=2)
    one = TextLine.objects.get(page=page, order=1)
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)

    field = tab.locator(f"#t{one.pk}")
    field.focus()
    field.evaluate("f => f.setSelectionRange(7, 7)")  # "engine |line 1"
    tab.keyboard.press("Alt+Enter")
    expect(tab.locator("#rv-n")).to_have_text("3")
    assert texts(page) == ["engine", "line 1", "engine line 2"]
    second = TextLine.objects.get(page=page, text="line 1")
    expect(tab.locator(f"#t{second.pk}")).to_be_focused()

    tab.keyboard.press("Alt+j")  # "line 1" + "engine line 2"
    expect(tab.locator("#rv-n")).to_have_text("2")
    assert texts(page) == ["engine", "line 1 engine line 2"]
    expect(tab.locator(f"#t{second.pk}")).to_be_focused()


def test_focus_stays_on_a_shown_line_and_the_ends_of_the_book_are_said(session_for, live_server):
    page = make_page_with_lines(images=True, count=3, confidence=lambda n: 0.4 if n == 3 else 0.97)
    one, _two, three = TextLine.objects.filter(page=page).order_by("order")
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)

    assert focused_id(tab) == f"t{one.pk}"
    tab.keyboard.press("Alt+l")  # line 1 is hidden: the focus moves to the low line
    assert focused_id(tab) == f"t{three.pk}"
    tab.keyboard.type("typed on")
    expect(tab.locator(f"#t{three.pk}")).to_have_value("engine line 3typed on")
    tab.keyboard.press("Alt+l")

    tab.keyboard.press("Alt+n")  # the only page of the book
    expect(tab.locator("#rv-msg")).to_contain_text("last page of the book")
    tab.keyboard.press("Alt+p")
    expect(tab.locator("#rv-msg")).to_contain_text("first page of the book")

    tab.keyboard.press("Control+s")
    expect(tab.locator(f"#l{three.pk}")).not_to_have_class("low")  # corrected: no longer low
    expect(tab.locator("#rv-low")).to_have_text("0")

    tab.locator("body").click(position={"x": 5, "y": 5})  # out of the fields: ? is not typed
    tab.keyboard.press("?")
    expect(tab.locator("#rv-help")).to_be_visible()
    expect(tab.locator("#rv-help")).to_contain_text("Alt+Enter")
    tab.keyboard.press("Escape")
    expect(tab.locator("#rv-help")).to_be_hidden()


def test_alt_n_on_the_last_page_of_a_volume_goes_on_to_the_next_volume(session_for, live_server):
    from books.models import Volume

    page = make_page_with_lines(images=True, count=1)
    second = Volume.objects.create(book=page.volume.book, sequence=2, label="vol 2")
    next_page = Page.objects.create(
        volume=second, sequence=1, image=page.image.name, width=page.width,
        height=page.height, status=page.status,
    )  # fmt: skip
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)
    expect(tab.locator("#rv-next")).to_have_text("Next volume ›")
    tab.keyboard.press("Alt+n")
    tab.wait_for_url(f"**/admin/books/page/{next_page.pk}/review/")


@pytest.mark.slow
def test_corrections_survive_recognizing_again_and_the_old_text_is_restored(
    session_for, live_server, ocr_models
):
    page = add_page(make_volume(), ENGLISH_PAGE)
    queued = OcrRun.objects.create(page=page, page_status_before=page.status)
    Page.objects.filter(pk=page.pk).update(status="queued")
    assert recognition.recognize(queued.pk).status == RunStatus.SUCCEEDED
    third = TextLine.objects.get(page=page, order=3)

    corrector = screen(session_for(make_user("carol", "Correctors")), live_server, page)
    corrector.locator(f"#t{third.pk}").fill("Corrected in the browser")
    corrector.keyboard.press("Control+s")
    expect(corrector.locator("#rv-msg")).to_have_text("1 line(s) saved.")
    before = texts(page)

    librarian = session_for(make_user("libby", "Librarians"))
    librarian.goto(f"{live_server.url}/admin/books/page/")
    librarian.locator(f"input[name=_selected_action][value='{page.pk}']").check()
    librarian.locator("select[name=action]").select_option("recognize_again")
    librarian.get_by_role("button", name="Run").click()
    expect(librarian.locator(".messagelist")).to_contain_text("1 page(s) queued")
    run = OcrRun.objects.get(page=page, status=RunStatus.QUEUED)
    assert run.keep_corrections
    assert recognition.recognize(run.pk).status == RunStatus.SUCCEEDED  # the worker's task

    screen(corrector, live_server, page)
    expect(corrector.locator("#rv-lines input[value='Corrected in the browser']")).to_have_count(1)
    corrector.locator("#rv-versions summary").click()
    corrector.once("dialog", lambda dialog: dialog.accept())
    corrector.get_by_role("button", name="Restore this version").click()
    expect(corrector.locator(".messagelist")).to_contain_text("Earlier version restored")
    assert texts(page) == before
    expect(corrector.locator("#rv-versions summary")).to_contain_text("2 earlier versions")


def test_the_character_picker_replaces_the_character_at_the_cursor(session_for, live_server):
    from ocr import corrections

    page = make_page_with_lines(images=True, count=2)
    one, two = TextLine.objects.filter(page=page).order_by("order")
    corrections.save_line(two.pk, "異姓同宗", two.version, None)  # the book already uses 異
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)

    field = tab.locator(f"#t{one.pk}")
    field.focus()
    tab.keyboard.type(" 异")
    tab.keyboard.press("Alt+v")
    expect(tab.locator("#rv-pop h2")).to_have_text("Variants of 异")
    expect(tab.locator("#rv-pick-used")).to_contain_text("異 ×1")
    tab.keyboard.press("1")
    expect(field).to_have_value("engine line 1 異")
    expect(field).to_be_focused()

    tab.keyboard.press("Alt+v")  # now on 異: search the book for another character
    tab.locator("#rv-pick-q").fill("宗")
    expect(tab.locator("#rv-pick-used")).to_contain_text("宗 ×1")
    tab.keyboard.press("Enter")
    expect(field).to_have_value("engine line 1 宗")
    tab.keyboard.press("Control+s")
    expect(tab.locator("#rv-msg")).to_have_text("1 line(s) saved.")


def test_the_screen_speaks_chinese_to_a_chinese_browser(session_for, live_server):
    page = make_page_with_lines(images=True, count=2)
    one = TextLine.objects.get(page=page, order=1)
    tab = screen(session_for(make_user("carol", "Correctors"), locale="zh-TW"), live_server, page)
    expect(tab.get_by_role("button", name="儲存", exact=True)).to_be_visible()
    tab.locator(f"#t{one.pk}").press("End")
    tab.keyboard.type("改")
    tab.keyboard.press("Control+s")
    expect(tab.locator("#rv-msg")).to_have_text("已儲存 1 行。")  # the script's own messages
    tab.keyboard.press("Alt+ArrowUp")
    expect(tab.locator("#rv-msg")).to_have_text("已是第一行。")


def test_regions_are_reordered_by_keyboard_and_drag_and_the_exports_follow(
    session_for, live_server, tmp_path
):
    from ocr.models import Region, RegionKind

    page = make_page_with_lines(images=True, count=3)
    kinds = (RegionKind.CAPTION, RegionKind.TITLE, RegionKind.TEXT)
    lines = page.lines.order_by("order")
    for order, (kind, line) in enumerate(zip(kinds, lines, strict=True), start=1):
        region = Region.objects.create(page=page, order=order, kind=kind, x0=5, y0=5, x1=195, y1=99)
        TextLine.objects.filter(pk=line.pk).update(region=region)
    tab = screen(session_for(make_user("carol", "Correctors")), live_server, page)

    tab.locator("#rv-region-order summary").click()
    down = tab.get_by_role("button", name="Move region 1 down")
    down.focus()
    tab.keyboard.press("Enter")  # the caption goes after the title
    expect(tab.locator(".rv-region-list li").first).to_contain_text("Title")
    assert texts(page) == ["engine line 2", "engine line 1", "engine line 3"]

    tab.locator("#rv-region-order summary").click()
    items = tab.locator(".rv-region-list li")
    items.nth(2).locator(".rv-grip").drag_to(items.nth(0))  # the text first
    expect(tab.locator(".rv-region-list li").first).to_contain_text("Text")
    order = ["engine line 3", "engine line 2", "engine line 1"]
    assert texts(page) == order
    assert exported(page, "txt", tmp_path).decode().split("\n")[:3] == order
    page_xml = exported(page, "page", tmp_path)
    assert page_xml[:2] == b"PK"  # a ZIP of one PAGE XML file per page
