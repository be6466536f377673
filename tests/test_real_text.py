"""The hand-labelled real tweets as calls to fit on (tools/real_text.py), read in place from ../shared."""
from tools.real_text import clean, real_text_calls, set_aside
from tools.writers import REAL_TEXT, outside_writers


def test_the_set_aside_part_is_a_quarter_by_hash_and_never_among_the_calls_fitted_on():
    fitted, aside = real_text_calls(), real_text_calls(aside=True)
    assert {c.call_id for c in fitted}.isdisjoint(c.call_id for c in aside)
    assert all(set_aside(c.call_id) for c in aside) and not any(set_aside(c.call_id) for c in fitted)
    assert 0.2 < len(aside) / (len(aside) + len(fitted)) < 0.3
    assert outside_writers(fitted + aside) == []  # fitted on in every fold, never measured as a writer
    assert {c.source for c in fitted} == {REAL_TEXT}


def test_each_call_is_the_customer_turn_and_the_reply_with_the_labels_on_them():
    calls = real_text_calls()
    for call in calls:
        turns = call.truth["turns"]
        assert turns[0]["speaker"] == "customer" and turns[0]["text"] and "@" not in turns[0]["text"].split()[0]
        assert [t["speaker"] for t in turns[1:]] in ([], ["agent"])
        assert all(t["end"] >= t["start"] for t in turns) and (len(turns) == 1 or turns[1]["start"] > turns[0]["end"])
        for ack in call.truth["acknowledgements"]:  # only a cue is acknowledged, and only by the reply
            assert call.truth["cues"] and ack == {"cue": "c1", "turn": 1}
    assert sum(bool(c.truth["cues"]) for c in calls) > 300 and sum(not c.truth["cues"] for c in calls) > 100
    assert sum(bool(c.truth["acknowledgements"]) for c in calls) >= 10


def test_handles_and_links_are_not_part_of_what_was_said():
    assert clean("@AmazonHelp my parcel https://t.co/xyz never came @UPS") == "my parcel never came"
    assert clean("\u2066@AppleSupport\u2069, the app says iOS 12.4 is not supported") == ", the app says iOS 12.4 is not supported"
