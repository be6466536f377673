"""Personal data masked, whether ASR wrote it as digits or as words."""
import pytest

from pipeline.reports.redact import redact_document, redact_text

from .conftest import turns_of

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


def spoken_turn(id, speaker, text, start):
    """A turn with one word a third of a second, as ASR times them."""
    words = [{"w": w, "start": round(start + 0.3 * i, 2), "end": round(start + 0.3 * i + 0.25, 2), "p": 0.9} for i, w in enumerate(text.split())]
    return {"id": id, "speaker": speaker, "start": start, "end": words[-1]["end"], "text": text, "words": words}


def test_a_name_asr_spells_differently_is_masked_as_name_use_counts_it():
    from pipeline.behaviours.checks import find_name_uses

    document = {"customer": {"name": "Luis Romero"}, "events": [],
                "turns": [spoken_turn(0, "agent", "Hi, this is Louis Romero's account?", 0.0)]}
    assert redact_document(document)["turns"][0]["text"] == "Hi, this is [Customer] [Customer surname] account?"
    for said in ("Louis", "Luiz", "Lewis", "louis", "Romeo", "Rome", "Lu", "Time", "Thank"):
        counted = bool(find_name_uses(turns_of(("agent", f"so {said} okay")), "Luis Romero")[0])
        masked = "[Customer" in redact_text(f"so {said} okay", ("luis", "romero"))
        assert masked == counted, said  # one rule: what counts as the name is what is masked


CARD = "4111111111111111"


def test_every_text_of_the_document_is_masked():
    """Every string of a document that can carry what was said or who said it carries the name or a
    card number here; none of them may after masking. Codes (ids, types, speakers) stay as they were."""
    said = f"Margaret Hale card {CARD}"
    turns = [spoken_turn(0, "agent", "Hello Margaret", 0.0), spoken_turn(1, "customer", f"my card is {CARD}", 1.0)]
    codes = {"call_id": "c1", "status": "scored", "recorded_at": "2026-11-20T10:00:00", "queue": "cards"}
    document = {
        **codes, "customer": {"name": "Margaret Hale"}, "agent": {"id": "A1", "name": "Dana"}, "turns": turns,
        "error": said,
        "events": [
            {"id": "c1", "type": "cue", "turn": 1, "start": 1.0, "end": 2.0, "kind": "anxiety", "text": said},
            {"id": "a1", "type": "acknowledgement", "turn": 0, "start": 0.0, "end": 0.5, "cue": "c1", "how": "reflection",
             "text": said, "shared_words": ["card", "margaret", "4111", "1111", "1111", "1111"]},
            {"id": "r1", "type": "recap", "turn": 0, "start": 0.0, "end": 0.5, "text": said, "shared_words": ["hale", CARD]},
            {"id": "n1", "type": "name_use", "turn": 0, "start": 0.0, "end": 0.5, "text": "Margaret", "count": 1},
            {"id": "x1", "type": "closing_action", "turn": 0, "start": 0.0, "end": 0.5, "text": said,
             "owner": "Margaret", "action": f"refund card {CARD}", "timeframe": "for Margaret by Friday"},
        ],
        "checks": {"cues_missed": [], "name": {"customer_name": "Margaret Hale"}},
        "score": {"scorecard": "default", "criteria": [
            {"id": "used_name", "section": "empathy", "result": "pass", "label": "Used Margaret's name",
             "reason": f"Margaret heard; card {CARD}", "evidence": ["n1"],
             "evidence_detail": [{"event": "n1", "start": 0.0, "end": 0.5, "note": f"says Margaret, card {CARD}"}]}]},
    }
    redacted = redact_document(document)

    def strings(value, key=""):
        if isinstance(value, dict):
            return [s for k, v in value.items() for s in strings(v, k)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v, key)]
        return [(key, value)] if isinstance(value, str) else []

    found = strings(redacted)
    assert len(found) > 40
    for key, text in found:
        assert "margaret" not in text.lower() and "hale" not in text.lower() and "4111" not in text, (key, text)
    assert {k: redacted[k] for k in codes} == codes
    assert [(e["id"], e["type"]) for e in redacted["events"]] == [(e["id"], e["type"]) for e in document["events"]]
    assert redacted["events"][1]["shared_words"] == ["card", "[Customer]", "[card number]"]


BIRTH_QUESTION = "thanks, and can I have your date of birth?"


@pytest.mark.parametrize("answer, masked", [
    ("March fourteenth nineteen eighty", "[date of birth]"),
    ("yes it's 03/14/1980.", "yes it's [date of birth]"),
    ("sure, march 14 1980 okay", "sure, [date of birth] okay"),
    ("the fourteenth of March, nineteen eighty", "[date of birth]"),
])
def test_a_date_answering_the_date_of_birth_question_is_masked(answer, masked):
    quoted = {"id": "c1", "type": "cue", "turn": 1, "start": 3.0, "end": 4.0, "kind": "anxiety", "text": answer}  # an event quotes it
    document = {"customer": {"name": ""}, "events": [quoted],
                "turns": [spoken_turn(0, "agent", BIRTH_QUESTION, 0.0), spoken_turn(1, "customer", answer, 3.0)]}
    redacted = redact_document(document)
    assert redacted["turns"][1]["text"] == redacted["events"][0]["text"] == masked
    assert [r["kind"] for r in redacted["redactions"]] == ["date of birth"]
    assert redacted["turns"][0]["text"] == BIRTH_QUESTION


@pytest.mark.parametrize("question", ["when did you order?", "what date did the charge go out?", "how can I help?"])
def test_a_date_answering_another_question_is_left_alone(question):
    document = {"customer": {"name": ""}, "events": [],
                "turns": [spoken_turn(0, "agent", question, 0.0), spoken_turn(1, "customer", "on March fourteenth I think", 3.0)]}
    assert redact_document(document)["turns"][1]["text"] == "on March fourteenth I think"
