"""Personal data masked, whether ASR wrote it as digits or as words."""
import pytest

from pipeline.reports.redact import redact_document, redact_text

NAMES = ("tim", "baker")


@pytest.mark.parametrize("said, masked", [
    ("my card is four one one one one one one one one one one one one one one one thanks", "my card is [card number] thanks"),
    ("it is 4111 1111 1111 1111", "it is [card number]"),
    ("the card is 4 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1", "the card is [card number]"),  # as tiny.en writes it
    ("email me at john dot smith at gmail dot com please", "email me at [e-mail address] please"),
    ("send it to owen .hale at example .com.", "send it to [e-mail address]"),
    ("send it to john.smith@gmail.com today", "send it to [e-mail address] today"),
    ("call me on five five five one two three four five six seven", "call me on [phone number]"),
    ("my social security number is one two three four five six seven eight nine", "my social security number is [social security number]"),
    ("the account number is double seven three four five one", "the account number is [account number]"),
    ("date of birth is march third nineteen eighty two okay", "date of birth is [date of birth] okay"),
    ("I was born on 12/03/1982.", "I was born on [date of birth]"),
    ("I live at 42 Elm Street in Springfield", "I live at [address] in Springfield"),
    ("it is four two Oak Lane", "it is [address]"),
    ("Hi this is Tim Baker, Tim's my name", "Hi this is [Customer] [Customer surname] [Customer] my name"),
])
def test_personal_data_is_masked(said, masked):
    assert redact_text(said, NAMES) == masked


@pytest.mark.parametrize("said", [
    "I have two kids and one dog", "this is the third time", "I was charged twice on the 3rd", "it costs 49 dollars a month",
    "I am at home right now", "give me one moment",
])
def test_plain_speech_is_left_alone(said):
    assert redact_text(said, NAMES) == said


def test_a_number_read_across_two_turns_is_masked_in_both_and_timed():
    def turn(id, speaker, words):
        return {"id": id, "speaker": speaker, "start": words[0][1], "end": words[-1][2], "text": " ".join(w for w, _, _ in words),
                "words": [{"w": w, "start": s, "end": e, "p": 0.9} for w, s, e in words]}

    numbers = [("four", 2.0, 2.3)] + [("one", 2.3 + 0.3 * i, 2.6 + 0.3 * i) for i in range(11)]
    document = {
        "customer": {"name": "Tim Baker"}, "events": [{"id": "c1", "type": "cue", "turn": 0, "start": 0, "end": 1, "text": "Tim here"}],
        "turns": [turn(0, "customer", [("it's", 1.6, 1.9)] + numbers), turn(1, "agent", [("go", 6.0, 6.3), ("on", 6.3, 6.5)]),
                  turn(2, "customer", [("one", 7.0, 7.3), ("one", 7.3, 7.6), ("one", 7.6, 7.9), ("one", 7.9, 8.2), ("ok", 8.3, 8.5)])],
    }
    redacted = redact_document(document)
    assert [t["text"] for t in redacted["turns"]] == ["it's [card number]", "go on", "[card number] ok"]
    assert [(r["turn"], r["start"], r["end"]) for r in redacted["redactions"]] == [(0, 2.0, 5.6), (2, 7.0, 8.2)]
    assert redacted["customer"]["name"] == "[Customer]" and redacted["events"][0]["text"] == "[Customer] here"
    assert document["turns"][0]["text"].startswith("it's four")  # the original is untouched
