"""The whole pipeline with the real embedded model: samples, shared recordings, bad input in a batch."""
import json
from pathlib import Path
import shutil

import pytest

from pipeline.evaluate import evaluate_folder
from pipeline.manifest import discover_calls
from pipeline.batch import run_batch

from .conftest import SAMPLES


def test_samples_meet_word_error_rate_and_stereo_speakers(sample_results):
    report = evaluate_folder(SAMPLES, sample_results)
    assert report["overall"]["calls"] == len(list(SAMPLES.glob("*.truth.json")))
    assert report["overall"]["wer"] <= 0.25
    for call_id, metrics in report["calls"].items():
        truth = json.loads((SAMPLES / f"{call_id}.truth.json").read_text())
        if "stereo" in truth["audio"]:
            assert metrics["turn_speaker_accuracy"] == 1.0, call_id


def test_roles_and_speakers_are_right_without_channel_hints(sample_results):
    # the samples' manifest gives no agent_channel: roles come from what is said, mono speakers from diarization
    report = evaluate_folder(SAMPLES, sample_results)
    for call_id, metrics in report["calls"].items():
        assert metrics["role_accuracy"] > 0.9, call_id
        assert metrics["word_speaker_accuracy"] >= 0.95, call_id
        assert metrics["der"] < 0.1, call_id


def test_result_document_follows_the_contract(sample_results):
    document = json.loads((sample_results / "calls" / "s01_energy_billing.json").read_text())
    assert document["status"] == "scored"
    assert document["agent"] == {"id": "A102", "name": "Dana Whitfield"}
    assert document["customer"] == {"name": "Tim Baker"}
    assert document["audio"]["channels"] == 2 and document["audio"]["sample_rate"] == 8000
    assert document["roles"]["method"] == "channel"
    turns = document["turns"]
    assert [t["id"] for t in turns] == list(range(len(turns)))
    assert all(a["start"] <= b["start"] for a, b in zip(turns, turns[1:]))
    assert {t["speaker"] for t in turns} == {"agent", "customer"}
    word = turns[0]["words"][0]
    assert set(word) == {"w", "start", "end", "p"} and turns[0]["start"] <= word["start"] <= word["end"]
    conversation = document["conversation"]
    assert conversation["talk_time"]["agent"] > 0 and conversation["talk_time"]["customer"] > 0
    assert 100 < conversation["words_per_minute"]["agent"] < 250


def test_each_scored_call_is_in_the_store_with_its_score(sample_results):
    from pipeline.reports.store import Store

    with Store.open(sample_results / "callqa.duckdb", create=False, read_only=True) as store:
        rows = store.query("SELECT call_id, total, band, agent_id, run_id FROM calls").set_index("call_id")
        criteria = store.query("SELECT call_id, criterion, result FROM criteria")
    documents = {p.stem: json.loads(p.read_text()) for p in (sample_results / "calls").glob("*.json")}
    assert set(rows.index) == set(documents)
    for call_id, document in documents.items():
        score = document["score"]
        assert score["scorecard"] == "default" and 0 <= score["total"] <= 100
        assert rows.loc[call_id, "total"] == score["total"] and rows.loc[call_id, "band"] == score["band"]
        assert rows.loc[call_id, "agent_id"] == document["agent"]["id"]
        assert sorted(criteria[criteria.call_id == call_id]["result"]) == sorted(c["result"] for c in score["criteria"])


def test_interruption_in_sample_is_found(sample_results):
    document = json.loads((sample_results / "calls" / "s02_telecom_outage.json").read_text())
    truth = json.loads((SAMPLES / "s02_telecom_outage.truth.json").read_text())
    cut = truth["turns"][truth["interruptions"][0]["turn"]]
    found = [e for e in document["events"] if e["type"] == "interruption"]
    assert [e["by"] for e in found] == ["customer"]
    assert abs(found[0]["start"] - cut["start"]) < 1.0


def test_bad_files_fail_alone_and_say_why(tmp_path, models):
    batch, out = tmp_path / "batch", tmp_path / "out"
    batch.mkdir()
    shutil.copy(SAMPLES / "s02_telecom_outage.stereo.flac", batch / "good.flac")
    (batch / "empty.wav").write_bytes(b"")
    (batch / "text.wav").write_text("not audio at all\n" * 50)
    whole = (SAMPLES / "s03_bank_lost_card.mono.wav").read_bytes()
    (batch / "cut.wav").write_bytes(whole[: len(whole) // 4])
    summary = run_batch(discover_calls(batch), out, models=models)
    assert (summary.scored, summary.failed) == (1, 3)
    documents = {p.stem: json.loads(p.read_text()) for p in (out / "calls").glob("*.json")}
    assert documents["good"]["status"] == "scored"
    assert "empty" in documents["empty"]["error"]
    assert "cannot be decoded" in documents["text"]["error"]
    assert "truncated" in documents["cut"]["error"]
    assert json.loads((out / "summary.json").read_text())["failed"] == 3


@pytest.mark.slow
def test_every_shared_recording_is_scored(shared_data, tmp_path, models):
    summary = run_batch(discover_calls(shared_data / "calls"), tmp_path, models=models)
    assert summary.failed == 0, summary.failures
    assert summary.scored == len(list((shared_data / "calls").iterdir()))
    for path in (tmp_path / "calls").glob("*.json"):
        document = json.loads(path.read_text())
        assert len(document["turns"]) >= 2, path.name
        assert {t["speaker"] for t in document["turns"]} == {"agent", "customer"}, path.name


@pytest.mark.slow
def test_mono_diarization_against_shared_references(shared_data, tmp_path, models):
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("aws_auto_repairs_40.mono.wav", "aws_auto_repairs_49.mono.mp3"):
        (batch / name).symlink_to(shared_data / "calls" / name)
    (batch / "pyannote_sample.wav").symlink_to(shared_data / "diarization" / "pyannote_sample.wav")
    truth = tmp_path / "truth"
    truth.mkdir()
    for rttm in (shared_data / "diarization").glob("*.rttm"):
        (truth / rttm.name).symlink_to(rttm)
    run_batch(discover_calls(batch), tmp_path / "out", models=models)
    calls = evaluate_folder(truth, tmp_path / "out")["calls"]
    assert calls["aws_auto_repairs_40.mono"]["der"] <= 0.12
    assert calls["aws_auto_repairs_49.mono"]["der"] <= 0.12
    assert calls["pyannote_sample"]["der"] <= 0.15
    assert calls["aws_auto_repairs_40.mono"]["role_accuracy"] > 0.9
    assert calls["aws_auto_repairs_49.mono"]["role_accuracy"] > 0.7


@pytest.mark.slow
def test_behaviours_on_the_labelled_calls(sample_results, tmp_path, models):
    """The empathy core through the full audio pipeline on the project's labelled calls."""
    from .conftest import ROOT

    labelled = ROOT / "data" / "labelled"
    run_batch(discover_calls(labelled), sample_results, models=models)  # beside the samples' results
    behaviours = evaluate_folder([SAMPLES, labelled], sample_results)["behaviours"]
    events = behaviours["events"]
    assert events["cue"]["recall"] >= 0.85 and events["cue"]["precision"] >= 0.80
    for kind in ("acknowledgement", "name_use", "recap", "closing_action"):
        assert events[kind]["f1"] >= 0.85, (kind, events[kind])
    assert behaviours["ack_latency_error_median_s"] <= 0.5
    assert behaviours["genuine_apology_accuracy"] >= 0.85


GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("call_id", ["s01_energy_billing", "s03_bank_lost_card"])
def test_documents_are_the_same_as_the_golden_ones(sample_results, call_id):
    """tests/golden holds what the pipeline wrote for one stereo and one mono sample (timings,
    fingerprint and path left out): first before run.py became the one orchestrator, rewritten when the
    learned judges changed cue confidences and acknowledgements, when the recap and closing judges gave
    those events confidences, when the judges were refitted on what ASR heard too, and at each later
    refit (confidences and `how` move with the weights). Rewrite them only
    for a change meant to alter results, and say so in its commit."""
    now = json.loads((sample_results / "calls" / f"{call_id}.json").read_text())
    before = json.loads((GOLDEN / f"{call_id}.json").read_text())
    for key in ("timings", "fingerprint", "score"):  # the score stage came after; test_score covers it
        now.pop(key)
    now["audio"].pop("path")
    assert differences(before, now) == []


def differences(before, now, where="") -> list[str]:
    """Every field that differs, by its path in the document."""
    if isinstance(before, dict) and isinstance(now, dict):
        return [d for key in before.keys() | now.keys() for d in differences(before.get(key), now.get(key), f"{where}.{key}")]
    if isinstance(before, list) and isinstance(now, list) and len(before) == len(now):
        return [d for i, (a, b) in enumerate(zip(before, now)) for d in differences(a, b, f"{where}[{i}]")]
    return [] if before == now else [f"{where}: {before!r} → {now!r}"]


def test_every_stage_reports_to_the_hook_once_with_its_artefact(models):
    from pipeline.models import CallSpec, Diarization, SpeechActivity
    from pipeline.run import analyse_call

    seen = []
    result = analyse_call(CallSpec("c1", str(SAMPLES / "s04_retail_gift.mono.wav")), models,
                          hook=lambda step, artefact, call_id: seen.append((step, type(artefact).__name__, call_id)))
    assert [step for step, _, _ in seen] == ["load", "vad", "transcribe", "diarize", "roles", "turns", "conversation",
                                             "prosody", "tone", "behaviours"]
    assert {call_id for _, _, call_id in seen} == {"c1"}
    assert dict((s, t) for s, t, _ in seen)["vad"] == SpeechActivity.__name__
    assert dict((s, t) for s, t, _ in seen)["diarize"] == Diarization.__name__
    assert list(result.timings) == [step for step, _, _ in seen]
