import pytest

from pipeline.evaluate import normalize, turn_speaker_accuracy, word_error_rate


def test_normalize_spells_numbers_and_drops_punctuation():
    assert normalize("Refund in 3 to 5 days, OK?") == "refund in three to five days ok"
    assert normalize("Account 447291.") == "account four four seven two nine one"


def test_word_error_rate_counts_substitutions_over_reference_words():
    wer, words = word_error_rate("I was charged twice this month", "I was charged twice this mouth")
    assert words == 6 and wer == pytest.approx(1 / 6)


def test_turn_speaker_accuracy_uses_the_most_overlapping_truth_turn():
    truth = [{"speaker": "agent", "start": 0, "end": 5}, {"speaker": "customer", "start": 5.5, "end": 9}]
    result = [{"speaker": "agent", "start": 0.2, "end": 4.9}, {"speaker": "agent", "start": 5.6, "end": 8.8}]
    assert turn_speaker_accuracy(truth, result) == 0.5
