from pipeline.results import read_json, write_json


def test_write_json_is_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "calls" / "c1.json"
    write_json(target, {"call_id": "c1", "status": "scored"})
    write_json(target, {"call_id": "c1", "status": "failed"})
    assert read_json(target)["status"] == "failed"
    assert [p.name for p in target.parent.iterdir()] == ["c1.json"]


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "c1.json"
    write_json(target, {"ok": 1})
    try:
        write_json(target, {"bad": object()})  # not JSON-serializable
    except TypeError:
        pass
    assert read_json(target) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["c1.json"]


def test_documents_read_back_as_the_typed_events_they_were_written_from():
    from pipeline.models import Acknowledgement, Conduct, Cue, Event
    from pipeline.results import event_document, event_from_document

    events = [
        Cue(id="c1", turn=3, start=12.1, end=15.9, text="third time", kind="frustration", polarity="negative",
            confidence=0.9, source="text"),
        Acknowledgement(id="a1", turn=4, start=16.4, end=19.0, text="so sorry", cue="c1", latency_s=0.5,
                        turns_after_cue=1, how="phrase", specific=True, shared_words=("call",)),
        Conduct(id="b1", type="blame", turn=5, start=20.0, end=21.0, text="you should have", polarity="negative"),
        Event(id="x1", type="further_help", turn=9, start=30.0, end=31.0, text="anything else?"),
    ]
    documents = [event_document(e) for e in events]
    assert "arousal" not in documents[0]  # not measured: left out, as before events were typed
    assert documents[1]["shared_words"] == ["call"]
    assert [event_from_document(d) for d in documents] == events


def test_an_event_document_written_before_typing_reads_back():
    from pipeline.models import Interruption
    from pipeline.results import event_from_document

    old = {"id": "i1", "type": "interruption", "turn": 7, "start": 40.2, "end": 40.9, "text": "wait no",
           "by": "customer", "interrupted": "agent", "overlap_s": 0.7}
    assert event_from_document(old) == Interruption(id="i1", turn=7, start=40.2, end=40.9, text="wait no",
                                                    by="customer", interrupted="agent", overlap_s=0.7)
