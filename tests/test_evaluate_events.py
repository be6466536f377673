from pipeline.evaluate.events import event_counts, f1_table, summarize_events, truth_turn_of

TRUTH = {
    "call_id": "t1",
    "turns": [{"id": 0, "speaker": "customer", "start": 0, "end": 4, "text": "I am furious"},
              {"id": 1, "speaker": "agent", "start": 5, "end": 8, "text": "I am so sorry"},
              {"id": 2, "speaker": "customer", "start": 9, "end": 10, "text": "and worried"},
              {"id": 3, "speaker": "agent", "start": 11, "end": 14, "text": "Goodbye Tim"}],
    "cues": [{"id": "c1", "turn": 0, "kind": "anger"}, {"id": "c2", "turn": 2, "kind": "anxiety"}],
    "acknowledgements": [{"cue": "c1", "turn": 1}],
    "name_uses": [3], "recaps": [], "closing_actions": [3],
    "apologies": [{"turn": 1, "genuine": True}, {"turn": 3, "genuine": False}],
}


def event(id, type, start, end, **data):
    return {"id": id, "type": type, "start": start, "end": end, **data}


def test_events_are_matched_to_labelled_turns_by_time():
    assert truth_turn_of({"start": 4.5, "end": 7.0}, TRUTH["turns"]) == 1
    assert truth_turn_of({"start": 8.4, "end": 8.6}, TRUTH["turns"]) in (1, 2)


def test_an_event_said_over_the_other_party_belongs_to_its_own_speakers_turn():
    # the agent starts at 9.5 while the customer is still talking until 10: "Tim" at 9.6-9.8
    turns = [*TRUTH["turns"][:3], {"id": 3, "speaker": "agent", "start": 9.5, "end": 14, "text": "Oh Tim, goodbye"}]
    said = {"start": 9.6, "end": 9.8}
    assert truth_turn_of(said, turns) == 2  # by time alone: the customer's turn
    assert truth_turn_of(said, turns, "agent") == 3
    assert truth_turn_of({"start": 9.1, "end": 9.3}, turns, "agent") == 2  # no agent turn there: time decides
    result = {"turns": [{"id": 7, "speaker": "agent"}], "events": [event("n1", "name_use", 9.6, 9.8, turn=7)]}
    assert event_counts({**TRUTH, "turns": turns}, result)["counts"]["name_use"] == {"tp": 1, "fp": 0, "fn": 0}


def test_counts_latency_error_and_apology_accuracy():
    result = {"events": [
        event("c1", "cue", 0.1, 3.9, confidence=0.9), event("c9", "cue", 5.2, 7.9, confidence=0.85),  # c9 in an agent turn: false
        event("a1", "acknowledgement", 5.3, 7.9, cue="c1", latency_s=1.3, confidence=0.75),
        event("a9", "acknowledgement", 11.2, 12.0, cue="c1", latency_s=7.3, confidence=0.95),  # not the labelled one: wrong
        event("n1", "name_use", 12.0, 12.3), event("p1", "apology", 5.1, 6.0, genuine=True), event("p2", "apology", 11.2, 12.0, genuine=True),
    ]}
    counts = event_counts(TRUTH, result)
    assert counts["counts"]["cue"] == {"tp": 1, "fp": 1, "fn": 1}
    assert counts["counts"]["acknowledgement"] == {"tp": 1, "fp": 1, "fn": 0}
    assert counts["counts"]["closing_action"] == {"tp": 0, "fp": 0, "fn": 1}
    assert abs(counts["latency_errors"][0] - 0.3) < 1e-9  # truth latency 5 - 4 = 1.0
    assert (counts["apologies_judged"], counts["apologies_right"]) == (2, 1)
    assert counts["errors"]["cue"] == [{"call": "t1", "error": "false", "turn": 1, "text": "I am so sorry"},
                                       {"call": "t1", "error": "missed", "turn": 2, "text": "and worried"}]
    summary = summarize_events([counts, counts])
    assert summary["events"]["cue"]["precision"] == 0.5 and summary["genuine_apology_accuracy"] == 0.5
    assert summary["reliability"]["cue"] == [{"confidence": "0.8-0.9", "events": 2, "right": 0, "share_right": 0.0},
                                             {"confidence": "0.9-1.0", "events": 2, "right": 2, "share_right": 1.0}]
    assert summary["reliability"]["acknowledgement"] == [{"confidence": "0.7-0.8", "events": 2, "right": 2, "share_right": 1.0},
                                                         {"confidence": "0.9-1.0", "events": 2, "right": 0, "share_right": 0.0}]
    assert len(summary["errors"]["closing_action"]) == 2  # one miss per call


def test_f1_of_nothing_predicted_is_undefined_not_perfect():
    table = f1_table({"recap": {"tp": 0, "fp": 0, "fn": 2}})
    assert table["recap"]["precision"] is None and table["recap"]["recall"] == 0.0


def test_recaps_and_closing_actions_get_reliability_tables_too():
    result = {"events": [event("r1", "recap", 5.3, 7.9, confidence=0.95),  # turn 1: no recap is labelled
                         event("x1", "closing_action", 11.2, 13.0, confidence=0.65),
                         event("x2", "closing_action", 11.2, 13.0)]}  # decided by the rules: no confidence, no row
    summary = summarize_events([event_counts(TRUTH, result)])
    assert summary["reliability"]["recap"] == [{"confidence": "0.9-1.0", "events": 1, "right": 0, "share_right": 0.0}]
    assert summary["reliability"]["closing_action"] == [{"confidence": "0.6-0.7", "events": 1, "right": 1, "share_right": 1.0}]


def test_cue_kinds_are_scored_on_labelled_cue_turns():
    result = {"events": [
        event("c1", "cue", 0.1, 3.9, kind="anger"), event("c2", "cue", 0.1, 3.9, kind="joy"),  # a right and a false kind
        event("c3", "cue", 5.2, 7.9, kind="anger"),  # no cue turn: counted as a false cue, not as a kind
    ]}
    counts = event_counts(TRUTH, result)
    assert counts["counts"]["cue_kind"] == {"tp": 1, "fp": 1, "fn": 1}
    assert counts["errors"]["cue_kind"] == [{"call": "t1", "error": "false", "turn": 0, "text": "I am furious", "kind": "joy"},
                                            {"call": "t1", "error": "missed", "turn": 2, "text": "and worried", "kind": "anxiety"}]
