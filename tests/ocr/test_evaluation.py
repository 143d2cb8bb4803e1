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
