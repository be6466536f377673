import pytest

from pipeline.evaluate.calls import normalize, turn_speaker_accuracy, word_error_rate


@pytest.mark.parametrize("heard, said", [
    ("Refund in 3 to 5 days, OK?", "refund in three to five days okay"),
    ("Account 447291.", "account four four seven two nine one"),  # read out digit by digit
    ("now there's a $4 ,000 bill", "now there's a four thousand dollar bill"),  # ASR's split thousands
    ("It closes on the 7th at 9:30.", "it closes on the seventh at nine thirty"),
    ("Write to claims@pawshore.com", "write to claims at pawshore dot com"),
    ("Um, alright, I was charged $400.", "uh, all right, I was charged four hundred dollars"),
])
def test_normalize_compares_numbers_addresses_and_fillers_however_they_are_written(heard, said):
    assert normalize(heard) == normalize(said)


def test_normalize_keeps_different_words_and_numbers_apart():
    assert normalize("four hundred dollars") != normalize("$40")
    assert normalize("the seventh") != normalize("the 17th")
    assert normalize("I can") != normalize("I can't")


def test_word_error_rate_counts_substitutions_over_reference_words():
    wer, words = word_error_rate("I was charged twice this month", "I was charged twice this mouth")
    assert words == 6 and wer == pytest.approx(1 / 6)


def test_turn_speaker_accuracy_uses_the_most_overlapping_truth_turn():
    truth = [{"speaker": "agent", "start": 0, "end": 5}, {"speaker": "customer", "start": 5.5, "end": 9}]
    result = [{"speaker": "agent", "start": 0.2, "end": 4.9}, {"speaker": "agent", "start": 5.6, "end": 8.8}]
    assert turn_speaker_accuracy(truth, result) == 0.5


def test_speaker_metrics_give_der_and_role_accuracy():
    from pyannote.core import Annotation, Segment

    from pipeline.evaluate.calls import speaker_metrics

    reference = Annotation()
    reference[Segment(0, 10)] = "agent"
    reference[Segment(10, 20)] = "customer"
    swapped = {"turns": [{"start": 0, "end": 10, "speaker": "customer"}, {"start": 10, "end": 20, "speaker": "agent"}]}
    right = {"turns": [{"start": 0, "end": 10, "speaker": "agent"}, {"start": 10, "end": 20, "speaker": "customer"}]}
    assert speaker_metrics(reference, right) == {"der": 0.0, "role_accuracy": 1.0}
    # DER maps labels optimally, so swapped roles cost no DER: role accuracy is what catches them
    assert speaker_metrics(reference, swapped) == {"der": 0.0, "role_accuracy": 0.0}


def test_word_speaker_accuracy_skips_overlapped_words():
    from pipeline.evaluate.calls import word_speaker_accuracy

    truth = [{"speaker": "agent", "start": 0, "end": 5}, {"speaker": "customer", "start": 4, "end": 9}]
    result = [{"speaker": "agent", "words": [{"start": 1, "end": 1.5}, {"start": 4.2, "end": 4.6}, {"start": 6, "end": 6.4}]}]
    assert word_speaker_accuracy(truth, result) == 0.5


def test_rttm_references_apply_to_calls_cut_from_the_recording(tmp_path):
    import json

    from pipeline.evaluate.calls import evaluate_folder

    (tmp_path / "rec1.approx.rttm").write_text(
        "SPEAKER rec1 1 0.00 5.00 <NA> <NA> agent <NA> <NA>\nSPEAKER rec1 1 5.00 5.00 <NA> <NA> caller <NA> <NA>\n")
    calls = tmp_path / "out" / "calls"
    calls.mkdir(parents=True)
    document = {"status": "scored", "turns": [{"start": 0, "end": 5, "speaker": "agent", "words": [], "text": ""},
                                              {"start": 5, "end": 10, "speaker": "customer", "words": [], "text": ""}]}
    (calls / "rec1.mono.json").write_text(json.dumps(document))
    (calls / "rec10.json").write_text(json.dumps(document))  # another recording: not rec1's
    report = evaluate_folder(tmp_path, tmp_path / "out")
    assert list(report["calls"]) == ["rec1.mono"]
    assert report["calls"]["rec1.mono"] == {"der": 0.0, "role_accuracy": 1.0}
    assert report["overall"]["roles_right"] == 1


def test_each_party_has_its_own_wer_and_the_overall_one_weighs_by_words():
    from pipeline.evaluate.calls import _overall, _party_wer

    truth = [{"speaker": "agent", "text": "thank you for calling"}, {"speaker": "customer", "text": "my card was charged twice"}]
    result = [{"speaker": "agent", "text": "thank you for falling"}, {"speaker": "customer", "text": "my card was charged twice"}]
    parties = _party_wer(truth, result)
    assert parties == {"wer_agent": 0.25, "ref_words_agent": 4, "wer_customer": 0.0, "ref_words_customer": 5}
    other = {"wer_agent": 0.5, "ref_words_agent": 12, "der": 0.0, "wer": 0.5, "ref_words": 12}
    overall = _overall({"a": {**parties, "der": 0.0, "wer": 1 / 9, "ref_words": 9}, "b": other})
    assert overall["wer_agent"] == round((0.25 * 4 + 0.5 * 12) / 16, 4) and overall["wer_customer"] == 0.0
    assert overall["wer"] == round((1 + 6) / 21, 4)
