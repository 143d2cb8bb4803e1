from ocr.evaluation import Score, edit_distance, pooled, score


def test_edit_distance_counts_substitutions_insertions_deletions():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("張氏族譜", "張氏族譜") == 0


def test_score_ignores_whitespace_and_width_differences():
    assert score("Ｈｅｌｌｏ  world", "Hello\nworld").errors == 0
    assert score("張氏族普", "張氏族譜").cer == 0.25


def test_pooled_cer_weights_pages_by_length():
    assert pooled([Score(1, 10), Score(0, 90)]).cer == 0.01


def test_order_free_score_ignores_line_order_but_cer_counts_it():
    truth = "天地玄黃\n宇宙洪荒"
    swapped = score("宇宙洪荒天地玄黃", truth)
    assert swapped.cer == 1.0
    assert swapped.bag_f1 == 1.0


def test_order_free_score_counts_missing_and_extra_characters():
    result = score("張氏族", "張氏族譜")
    assert result.recall == 0.75
    assert result.precision == 1.0
    assert round(result.bag_f1, 3) == 0.857
    assert score("張氏族譜譜譜譜", "張氏族譜").precision == 4 / 7
