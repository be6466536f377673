"""Names matched as people say them and as ASR writes them: the one rule name use and redaction share."""
from pipeline.behaviours.checks import find_name_uses
from pipeline.behaviours.text import name_spans
from pipeline.models import Turn, Word
from pipeline.reports.redact import redact_document

UNSURE = 0.5  # the probability ASR gives a word it did not know, as it gave "Blingering" and "angry"


def heard(*lines: tuple[str, str], prob: float = UNSURE) -> list[Turn]:
    """Turns as ASR writes them: every word with probability `prob`, a third of a second each."""
    turns, clock = [], 0.0
    for index, (speaker, text) in enumerate(lines):
        words = []
        for word in text.split():
            words.append(Word(word, round(clock, 2), round(clock + 0.25, 2), prob, speaker))
            clock += 0.3
        turns.append(Turn(index, speaker, words[0].start, words[-1].end, tuple(words)))
        clock += 0.5
    return turns


def used(text: str, customer: str, *, agent: str = "", prob: float = UNSURE) -> list[str]:
    events, _ = find_name_uses(heard(("agent", text), prob=prob), customer, agent_name=agent)
    return [e.text for e in events]


def test_a_first_name_heard_as_a_common_word_counts_only_where_the_agent_addresses_someone():
    for said in ("You sound angry about it, and I get that.", "I am angry too.", "you sound angry"):
        assert used(said, "Ingrid Sorensen") == [], said
    for said, words in [("Thanks, angry.", "angry."), ("Sure thing, angry. I can help with that.", "angry."),
                        ("Okay angry, let me look.", "angry,")]:
        assert used(said, "Ingrid Sorensen") == [words], said
    # ASR split "Yolanda" into three words after the greeting
    assert used("Oh, congratulations. Y 'all end up the last payment.", "Yolanda Ferris") == ["Y 'all end"]


def test_a_surname_after_a_title_is_matched_by_sound():
    assert used("You've explained it better than the letter does, Mr. Blingering.", "Harold Lindgren") == ["Blingering."]
    assert used("You take care, mister, lingering, and happy Thanksgiving.", "Harold Lindgren") == ["lingering,"]
    assert used("Okay, Mr. Daysawdy, I found it.", "Ravi Desai") == ["Daysawdy,"]
    assert used("Thanks, MS, not urgent. I see you're on the basic plan.", "Priya Natarajan") == ["not urgent."]
    assert used("Thanks so much for holding, M .S., I cover.", "Denise Okafor") == ["I cover."]  # "Ms." split as well
    assert used("Thank you, Mr. Smith.", "Harold Lindgren") == []
    # "Ms. Adams" to Ms. Adeyemi, heard clearly, is the wrong name, not a mishearing of hers
    assert used("Okay, Ms. Adams, what's going on?", "Kelsey Adeyemi", prob=0.98) == []


def test_a_word_written_as_a_name_that_sounds_like_it_counts():
    assert used("So Calim, the claim went in on Monday.", "Callum Fraser") == ["Calim,"]  # no greeting, no comma before
    assert used("Column two of the bill, Mr. Fraser.", "Callum Fraser") == ["Fraser."]  # "Column" sounds another word
    assert used("Power is back on, and It'll stay on.", "Priya Whitley") == []  # PR and ALT, but no name's letters


def test_sound_alikes_count_only_where_asr_was_unsure():
    """A word ASR is sure of, or a transcript typed by a person, says what it says."""
    said = "You've explained it better than the letter does, Mr. Blingering."
    assert used(said, "Harold Lindgren") == ["Blingering."]
    assert used(said, "Harold Lindgren", prob=1.0) == []
    assert used("Thanks, angry.", "Ingrid Sorensen", prob=1.0) == []
    assert used("Thanks, Ingrid.", "Ingrid Sorensen", prob=1.0) == ["Ingrid."]


def test_the_agents_own_name_is_never_the_customers():
    assert used("Hi, Colleen here. First things first, is Biscuit okay?", "Colin Fraser", agent="Colleen Ashby") == []
    assert used("Hi, Colleen here.", "Colin Fraser") == ["Colleen"]  # without the agent's name, it would count


def test_an_email_read_back_in_lower_case_is_no_use():
    assert used("Was that owen dot t, or owen dot d?", "Owen Takahashi", prob=1.0) == []


def test_spans_cover_the_words_of_the_name():
    words = "Oh, congratulations. Y 'all end up the last payment.".split()
    assert name_spans(words, ["yolanda", "ferris"], similarity=80, probs=[UNSURE] * len(words)) == [(2, 4, 0)]


def test_what_name_use_counts_is_masked_in_the_turn_and_in_the_events_that_quote_it():
    text = "You take care, mister, lingering, and happy Thanksgiving."
    turns = heard(("customer", "Thanks for all of it."), ("agent", text))
    events, _ = find_name_uses(turns, "Harold Lindgren", agent_name="Darnell Price")
    assert [e.text for e in events] == ["lingering,"]
    document = {
        "customer": {"name": "Harold Lindgren"}, "agent": {"id": "A202", "name": "Darnell Price"},
        "turns": [{"id": t.id, "speaker": t.speaker, "start": t.start, "end": t.end, "text": t.text,
                   "words": [{"w": w.text, "start": w.start, "end": w.end, "p": w.prob} for w in t.words]} for t in turns],
        "events": [{"id": "n1", "type": "name_use", "turn": 1, "start": events[0].start, "end": events[0].end, "text": events[0].text},
                   {"id": "x1", "type": "closing_action", "turn": 1, "start": 1.0, "end": 2.0, "text": text}],
    }
    redacted = redact_document(document)
    assert redacted["turns"][1]["text"] == "You take care, mister, [Customer surname] and happy Thanksgiving."
    assert "lingering" not in redacted["events"][0]["text"] and "lingering" not in redacted["events"][1]["text"]
    assert [r["kind"] for r in redacted["redactions"]] == ["Customer surname"]


def test_no_name_follows_an_article():
    """Given "Ferris" as a hot word, ASR wrote "the Ferris" for "the deferral"."""
    assert used("I'm glad that the Ferris was there when you needed it.", "Yolanda Ferris", prob=0.01) == []
    assert used("I'm glad, Ferris, that it was there.", "Yolanda Ferris", prob=0.01) == ["Ferris,"]
