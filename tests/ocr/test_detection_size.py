"""When the detector looks again, larger: only for pages whose typical line it saw too small."""

from ocr.detection_size import second_pass_limit

NEWSPAPER = (2280, 3225)  # a 300-dpi newspaper page


def lines_of(height: int, count: int = 50):
    return [(100, 40 * n, 900, 40 * n + height) for n in range(count)]


def test_small_print_on_a_large_page_is_looked_at_again_just_large_enough():
    # 17 px boxes on a 3225 px page: about 10 px once shrunk to 1920 px.
    limit = second_pass_limit(NEWSPAPER, lines_of(17), 1920, 12, 4096)
    assert limit == 2277  # 12 px lines: 1920 * 12 / (17 * 1920 / 3225)


def test_pages_read_well_in_one_pass_are_not_detected_twice():
    assert second_pass_limit(NEWSPAPER, lines_of(24), 1920, 12, 4096) is None  # 14 px seen
    assert second_pass_limit((1000, 1400), lines_of(6), 1920, 12, 4096) is None  # not shrunk
    assert second_pass_limit(NEWSPAPER, [], 1920, 12, 4096) is None  # nothing found
    assert second_pass_limit(NEWSPAPER, lines_of(17), 1920, 0, 4096) is None  # turned off


def test_the_second_pass_never_exceeds_the_page_or_the_cap():
    assert second_pass_limit(NEWSPAPER, lines_of(4), 1920, 12, 4096) == 3225  # the page
    assert second_pass_limit((6000, 9000), lines_of(8), 1920, 12, 4096) == 4096  # the cap


def test_a_gain_too_small_for_a_second_pass_is_skipped():
    # Seen at 11.6 px: a limit of 1987 px is not worth detecting again.
    assert second_pass_limit(NEWSPAPER, lines_of(19.5), 1920, 12, 4096) is None


def test_the_typical_line_is_the_median_so_headlines_do_not_hide_small_print():
    boxes = lines_of(17, count=40) + [(0, 0, 2000, 120)] * 10  # headlines
    assert second_pass_limit(NEWSPAPER, boxes, 1920, 12, 4096) == 2277
