"""The correction service on a real database: versions, history, conflicts, page lock."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from books.models import Page, PageStatus
from ocr import corrections, line_structure
from ocr.corrections import Box, Conflict, LineGone, PageNotReviewable
from ocr.models import LineAction, LineRevision, PageReview, TextLine
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = pytest.mark.django_db


def first_line(page) -> TextLine:
    return page.lines.order_by("order").first()


def test_a_save_raises_the_version_and_keeps_who_when_before_and_after():
    page = make_page_with_lines()
    alice = make_user("alice")
    line = first_line(page)

    saved = corrections.save_line(line.pk, "corrected line 1", line.version, alice)

    line.refresh_from_db()
    assert (line.text, line.version, line.corrected_by) == ("corrected line 1", 2, alice)
    assert line.engine_text == "engine line 1"
    assert line.corrected_at is not None
    assert saved.version == 2
    revision = LineRevision.objects.get(line=line)
    assert (revision.action, revision.user, revision.text_before, revision.text_after) == (
        LineAction.EDIT,
        alice,
        "engine line 1",
        "corrected line 1",
    )
    assert revision.created_at is not None and revision.engine_text == "engine line 1"


@pytest.mark.parametrize("same_user", [False, True], ids=["two-users", "one-user-two-tabs"])
def test_the_second_save_of_a_line_gets_a_conflict_with_the_others_text(same_user):
    page = make_page_with_lines()
    alice = make_user("alice")
    bob = alice if same_user else make_user("bob")
    line = first_line(page)
    loaded_version = line.version  # both screens loaded the line at this version

    corrections.save_line(line.pk, "Alice's reading", loaded_version, alice)
    with pytest.raises(Conflict) as caught:
        corrections.save_line(line.pk, "Bob's reading", loaded_version, bob)

    conflict = caught.value
    assert (conflict.text, conflict.version, conflict.corrected_by) == (
        "Alice's reading",
        2,
        "alice",
    )
    line.refresh_from_db()
    assert line.text == "Alice's reading"  # nothing of the first save is lost
    assert LineRevision.objects.filter(line=line).count() == 1

    # Bob read Alice's text in the conflict message and keeps his: saved on her version.
    corrections.save_line(line.pk, "Bob's reading", conflict.version, bob)
    line.refresh_from_db()
    assert (line.text, line.version) == ("Bob's reading", 3)
    history = LineRevision.objects.filter(line=line).order_by("id")
    assert [(r.text_before, r.text_after) for r in history] == [
        ("engine line 1", "Alice's reading"),
        ("Alice's reading", "Bob's reading"),
    ]


def test_saving_the_text_the_line_already_has_changes_nothing_even_with_a_stale_version():
    page = make_page_with_lines()
    alice = make_user("alice")
    line = first_line(page)
    corrections.save_line(line.pk, "fixed", 1, alice)

    again = corrections.save_line(line.pk, "fixed", 1, alice)  # e.g. a repeated request

    assert again.version == 2
    assert LineRevision.objects.filter(line=line).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_threads_one_wins_one_conflicts():
    page = make_page_with_lines()
    users = [make_user("alice"), make_user("bob")]
    line = first_line(page)
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(user):
        try:
            barrier.wait(timeout=10)
            corrections.save_line(line.pk, f"text of {user.username}", 1, user)
            outcomes[user.username] = "saved"
        except Conflict as conflict:
            outcomes[user.username] = conflict.text
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["alice", "bob"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    loser = "bob" if winner == "alice" else "alice"
    assert outcomes[loser] == f"text of {winner}"  # the loser is shown the winner's text
    line.refresh_from_db()
    assert (line.text, line.version) == (f"text of {winner}", 2)
    assert LineRevision.objects.filter(line=line).count() == 1


def test_saving_the_engine_text_is_a_revert_and_revert_to_engine_does_that():
    page = make_page_with_lines()
    alice = make_user("alice")
    line = first_line(page)
    corrections.save_line(line.pk, "wrong fix", 1, alice)

    reverted = corrections.revert_to_engine(line.pk, 2, alice)

    assert (reverted.text, reverted.version) == ("engine line 1", 3)
    line.refresh_from_db()
    assert not line.is_corrected
    last = LineRevision.objects.filter(line=line).order_by("-id").first()
    assert (last.action, last.text_before, last.text_after) == (
        LineAction.REVERT,
        "wrong fix",
        "engine line 1",
    )
    # Reverting again from a stale screen is harmless: the engine text is already there.
    assert corrections.revert_to_engine(line.pk, 2, alice).version == 3
    assert LineRevision.objects.filter(line=line).count() == 2


def test_line_breaks_in_a_saved_text_become_spaces():
    page = make_page_with_lines()
    line = first_line(page)
    saved = corrections.save_line(line.pk, "two\nparts", 1, make_user("alice"))
    assert saved.text == "two parts"


def test_adding_a_line_after_another_moves_the_later_lines_down_and_is_in_history():
    page = make_page_with_lines(3)
    alice = make_user("alice")

    after = page.lines.get(order=1).pk
    added = line_structure.add_line(
        page.pk, Box(10, 30, 190, 38), "missed line", alice, after=after
    )

    assert added.order == 2
    assert list(page.lines.order_by("order").values_list("order", "text")) == [
        (1, "engine line 1"),
        (2, "missed line"),
        (3, "engine line 2"),
        (4, "engine line 3"),
    ]
    assert added.engine_text == "" and added.is_corrected
    assert added.polygon == [[10, 30], [190, 30], [190, 38], [10, 38]]
    revision = LineRevision.objects.get(line=added)
    assert (revision.action, revision.text_after, revision.user) == (
        LineAction.ADD,
        "missed line",
        alice,
    )

    last = line_structure.add_line(page.pk, Box(10, 100, 190, 110), "at the end", alice)
    assert last.order == 5


def test_a_box_without_area_is_refused():
    with pytest.raises(corrections.CorrectionError):
        Box(10, 10, 10, 30)


def test_deleting_a_line_keeps_it_in_history_and_a_stale_delete_conflicts():
    page = make_page_with_lines(3)
    alice, bob = make_user("alice"), make_user("bob")
    line = first_line(page)
    corrections.save_line(line.pk, "Alice fixed it", 1, alice)

    with pytest.raises(Conflict) as caught:
        line_structure.delete_line(line.pk, 1, bob)  # Bob has not seen Alice's fix
    assert caught.value.text == "Alice fixed it"
    assert TextLine.objects.filter(pk=line.pk).exists()

    line_structure.delete_line(line.pk, 2, bob)

    assert not TextLine.objects.filter(pk=line.pk).exists()
    deleted = page.line_revisions.get(action=LineAction.DELETE)
    assert (deleted.text_before, deleted.engine_text, deleted.order, deleted.user) == (
        "Alice fixed it",
        "engine line 1",
        1,
        bob,
    )
    assert deleted.polygon == line.polygon
    with pytest.raises(LineGone):
        corrections.save_line(line.pk, "too late", 2, alice)


def test_marking_reviewed_sets_the_status_and_records_who():
    page = make_page_with_lines()
    alice = make_user("alice")

    assert corrections.mark_reviewed(page.pk, alice) == PageStatus.REVIEWED
    corrections.mark_reviewed(page.pk, alice)  # twice: one record

    page.refresh_from_db()
    assert page.status == PageStatus.REVIEWED
    assert list(PageReview.objects.values_list("page", "reviewed", "user")) == [
        (page.pk, True, alice.pk)
    ]
    assert corrections.mark_reviewed(page.pk, alice, reviewed=False) == PageStatus.RECOGNIZED
    assert PageReview.objects.count() == 2


@pytest.mark.parametrize("status", [PageStatus.NEW, PageStatus.QUEUED, PageStatus.FAILED])
def test_a_page_without_finished_recognition_cannot_be_marked_reviewed(status):
    page = make_page_with_lines()
    Page.objects.filter(pk=page.pk).update(status=status)
    with pytest.raises(PageNotReviewable):
        corrections.mark_reviewed(page.pk, make_user("alice"))
    with pytest.raises(PageNotReviewable):
        line_structure.add_line(page.pk, Box(1, 1, 5, 5), "x", None)


def test_an_edit_after_the_page_was_recognized_again_is_refused_not_lost_silently():
    page = make_page_with_lines()
    line = first_line(page)
    page.lines.all().delete()  # what a forced re-recognition does to the old lines

    with pytest.raises(LineGone):
        corrections.save_line(line.pk, "edit on the old screen", 1, make_user("alice"))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL (SQLite locks the file)"
)
@pytest.mark.django_db(transaction=True)
def test_an_edit_waits_for_the_page_lock_that_recognition_takes():
    page = make_page_with_lines()
    line = first_line(page)
    alice = make_user("alice")
    locked, release = threading.Event(), threading.Event()

    def hold_page_lock():  # what recognition's _store_lines does while replacing lines
        with transaction.atomic():
            list(Page.objects.select_for_update().filter(pk=page.pk))
            locked.set()
            release.wait(timeout=30)
        connections.close_all()

    holder = threading.Thread(target=hold_page_lock)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises(OperationalError, match="lock"):
                corrections.save_line(line.pk, "while recognition stores", 1, alice)
    finally:
        release.set()
        holder.join(timeout=30)
    corrections.save_line(line.pk, "after recognition stored", 1, alice)
    assert TextLine.objects.get(pk=line.pk).text == "after recognition stored"
