"""Transcripts instead of audio: JSON and WebVTT give the behaviour events the audio run gives on the same turns."""
import json

import pytest

from pipeline.batch import run_batch
from pipeline.errors import AudioError
from pipeline.manifest import discover_calls
from pipeline.speech.transcript import load_transcript, plain_text


def vtt_time(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:{seconds % 60:06.3f}"


def as_transcripts(document: dict, folder, name: str) -> None:
    """The audio run's turns as a JSON transcript and as WebVTT with voice tags."""
    turns = [{"speaker": t["speaker"], "start": t["start"], "end": t["end"], "text": t["text"]} for t in document["turns"]]
    (folder / f"{name}.transcript.json").write_text(json.dumps({"turns": turns}))
    cues = [f"{i}\n{vtt_time(t['start'])} --> {vtt_time(t['end'])}\n<v {t['speaker'].title()}>{t['text']}" for i, t in enumerate(turns, 1)]
    (folder / f"{name}.vtt").write_text("WEBVTT\n\n" + "\n\n".join(cues) + "\n")


def event_keys(document: dict) -> list[tuple]:
    """What a behaviour event says, apart from word times a transcript does not have."""
    return sorted((e["type"], e["turn"], e.get("kind", ""), e.get("cue", ""), e.get("genuine", "")) for e in document["events"]
                  if e.get("source") != "voice")  # a cue heard only in the voice needs the voice


@pytest.mark.parametrize("call_id", ["s01_energy_billing", "s03_bank_lost_card"])
def test_json_and_webvtt_give_the_events_of_the_audio_run(sample_results, tmp_path, models, call_id):
    audio_run = json.loads((sample_results / "calls" / f"{call_id}.json").read_text())
    batch = tmp_path / "batch"
    batch.mkdir()
    as_transcripts(audio_run, batch, "json_copy")
    as_transcripts(audio_run, batch, "vtt_copy")
    (batch / "json_copy.vtt").unlink()
    (batch / "vtt_copy.transcript.json").unlink()
    summary = run_batch(discover_calls(batch), tmp_path / "out", models=models)
    assert summary.scored == 2, summary.failures
    for name in ("json_copy", "vtt_copy"):
        document = json.loads((tmp_path / "out" / "calls" / f"{name}.json").read_text())
        assert document["roles"]["method"] == "transcript" and document["audio"]["channels"] == 0
        assert [t["text"] for t in document["turns"]] == [t["text"] for t in audio_run["turns"]]
        assert event_keys(document) == event_keys(audio_run), name
        assert "vad" not in document["timings"] and "behaviours" in document["timings"]


def test_markup_is_stripped_and_unnamed_speakers_go_to_the_roles_stage(tmp_path):
    path = tmp_path / "chat.transcript.json"
    path.write_text(json.dumps([
        {"speaker": "Dana (Northwind)", "start": 0, "end": 3, "text": "Thank you for calling Northwind, <b>how can I help</b>?"},
        {"speaker": "Tim", "start": 3.5, "end": 6, "text": "I&#39;m locked out <script>steal()</script>again<br>and again"},
    ]))
    transcript = load_transcript(path)
    assert not transcript.named_roles
    words = {track.speaker: " ".join(w.text for w in track.words) for track in transcript.tracks}
    assert words == {"Dana (Northwind)": "Thank you for calling Northwind, how can I help?", "Tim": "I'm locked out again and again"}
    assert plain_text("<c.loud>hi</c> &amp; bye") == "hi & bye"


@pytest.mark.parametrize("name, content, message", [
    ("a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello there\n", "no voice tag"),
    ("b.vtt", "1\n00:00:01.000 --> 00:00:02.000\n<v Agent>hello\n", "not a WebVTT file"),
    ("c.transcript.json", '{"turns": [{"speaker": "agent", "start": 1}]}', "turn 0 needs speaker, start, end"),
    ("d.transcript.json", "[{", "not valid JSON"),
    ("e.transcript.json", "[]", "no turns with text"),
    ("f.transcript.json", '[{"speaker": "agent", "start": 5, "end": 2, "text": "x"}]', r"ends \(2.0\) before it starts"),
])
def test_a_bad_transcript_says_what_is_wrong(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    with pytest.raises(AudioError, match=message):
        load_transcript(tmp_path / name)


def test_truth_labels_beside_audio_are_not_taken_for_calls(tmp_path):
    (tmp_path / "c1.wav").write_bytes(b"x")
    (tmp_path / "c1.truth.json").write_text("{}")
    (tmp_path / "c2.transcript.json").write_text("[]")
    (tmp_path / "c3.vtt").write_text("WEBVTT\n")
    assert sorted(s.call_id for s in discover_calls(tmp_path)) == ["c1", "c2", "c3"]
