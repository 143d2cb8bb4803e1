"""The index changes with the text, in the same transaction, through every service."""

import pytest
from django.db import connection, transaction

from ocr import corrections, line_structure, page_versions, queueing, recognition, region_order
from ocr.models import OcrRun, Region, RunStatus, TextLine
from search.indexing import rebuild
from search.service import search
from tests.ocr.factories import CHINESE_PAGE, add_page, make_volume
from tests.ocr.lines import make_user
from tests.search.pages import add_page as add_text_page
from tests.search.pages import make_volume as make_text_volume

pytestmark = pytest.mark.django_db


def index_rows():
    column = "tsv::text" if connection.vendor == "postgresql" else "tokens"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT page_id, source, number, corrected, {column} FROM search_pagechunk "
            "ORDER BY page_id, source, number"
        )
        return cursor.fetchall()


def assert_index_is_current():
    """What the services left equals the index written anew from the lines."""
    kept = index_rows()
    rebuild()
    assert kept == index_rows()


def pages(query):
    return [result.page.pk for result in search(query).pages]


@pytest.fixture
def page():
    return add_text_page(make_text_volume(), ["清河张氏", "始祖德明公", "配李氏"])


@pytest.fixture
def carol():
    return make_user("carol", "Correctors")


def line(page, order):
    return TextLine.objects.get(page=page, order=order)


def test_a_saved_correction_is_found_at_once_and_the_old_text_no_longer(page, carol):
    first = line(page, 1)
    corrections.save_line(first.pk, "江夏黄氏", first.version, carol)
    assert pages("黄氏") == [page.pk] and pages("张氏") == []
    assert [r.page.pk for r in search("张氏", source_filter()).pages] == [page.pk]
    assert_index_is_current()
    corrections.revert_to_engine(first.pk, first.version + 1, carol)
    assert pages("张氏") == [page.pk] and pages("黄氏") == []
    assert_index_is_current()


def source_filter():
    from search.service import Filters

    return Filters(source="engine")


def test_a_correction_rolled_back_leaves_the_index_as_it_was(page, carol):
    first = line(page, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        corrections.save_line(first.pk, "江夏黄氏", first.version, carol)
        assert pages("黄氏") == [page.pk]
        raise RuntimeError("the request failed after the save")
    assert pages("黄氏") == [] and pages("张氏") == [page.pk]


def test_line_edits_keep_the_index_current(page, carol):
    added = line_structure.add_line(page.pk, corrections.Box(10, 200, 990, 230), "生子二", carol)
    assert pages("生子") == [page.pk]
    assert_index_is_current()
    first, second = line(page, 1), line(page, 2)
    line_structure.move_line(first.pk, first.version, second.pk, carol)  # 始祖德明公 清河张氏
    assert pages("公清河") == [page.pk] and pages("张氏始祖") == []
    assert_index_is_current()
    moved = TextLine.objects.get(pk=first.pk)
    line_structure.split_line(moved.pk, moved.version, 2, carol)
    assert_index_is_current()
    third = line(page, 3)
    line_structure.merge_lines(
        third.pk, third.version, line(page, 4).pk, line(page, 4).version, carol
    )
    assert_index_is_current()
    added.refresh_from_db()
    line_structure.delete_line(added.pk, added.version, carol)
    assert pages("生子") == []
    assert_index_is_current()


def test_moving_a_region_moves_its_text_in_the_index(carol):
    page = add_text_page(make_text_volume(), ["第一栏", "第二栏"])
    top = Region.objects.create(page=page, order=1, x0=0, y0=0, x1=1000, y1=60)
    bottom = Region.objects.create(page=page, order=2, x0=0, y0=60, x1=1000, y1=120)
    TextLine.objects.filter(page=page, order=1).update(region=top)
    TextLine.objects.filter(page=page, order=2).update(region=bottom)
    assert pages("栏第二") == [page.pk]
    region_order.move_region(page.pk, bottom.pk, 0, bottom.order, carol)
    assert pages("栏第一") == [page.pk] and pages("栏第二") == []
    assert_index_is_current()


def test_restoring_a_version_restores_what_is_found(page, carol):
    from ocr.models import VersionReason

    version = page_versions.keep_version(page.pk, VersionReason.RECOGNIZED_AGAIN, user=carol)
    first = line(page, 1)
    corrections.save_line(first.pk, "江夏黄氏", first.version, carol)
    page_versions.restore(page.pk, version.pk, carol)
    assert pages("张氏") == [page.pk] and pages("黄氏") == []
    assert_index_is_current()


def test_a_deleted_page_leaves_the_index(page):
    page.volume.book.delete()
    assert pages("张氏") == [] and index_rows() == []


@pytest.mark.slow
def test_a_recognized_page_is_searchable_and_stays_so_with_its_correction(ocr_models, carol):
    page = add_page(make_volume(), CHINESE_PAGE)
    assert queueing.enqueue_pages([page.pk]).queued == [page.pk]
    run = recognition.recognize(OcrRun.objects.get(page=page, status=RunStatus.QUEUED).pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    lines = list(TextLine.objects.filter(page=page).order_by("order"))
    name = next(row.text for row in lines if len(row.text) >= 4)[:2]
    assert page.pk in pages(name)
    target = lines[-1]
    corrections.save_line(target.pk, "校对员改正的新文字", target.version, carol)
    assert pages("改正") == [page.pk]
    queueing.enqueue_pages([page.pk], force=True)
    run = recognition.recognize(OcrRun.objects.get(page=page, status=RunStatus.QUEUED).pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert pages("改正") == [page.pk] and page.pk in pages(name)
    assert_index_is_current()


def test_the_rebuild_command_indexes_pages_written_behind_the_services_back(page):
    from io import StringIO

    from django.core.management import call_command

    TextLine.objects.filter(page=page, order=1).update(text="江夏黄氏")  # a bulk load, say
    assert pages("黄氏") == []
    out = StringIO()
    call_command("search_index", "rebuild", stdout=out)
    assert pages("黄氏") == [page.pk]
    assert "Indexed 1 pages" in out.getvalue()
    assert "1 of 1 pages with text" in out.getvalue()
