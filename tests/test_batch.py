"""Nightly batches: parallel, on Dask, resumable, killed and re-run, bad input beside good calls."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pipeline.batch import fingerprint, run_batch
from pipeline.config import PipelineOptions
from pipeline.manifest import discover_calls

from .conftest import SAMPLES, message_as_nobody, tone, write_audio

GOOD = ["s01_energy_billing.stereo.flac", "s04_retail_gift.mono.wav"]


def good_batch(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in GOOD:
        shutil.copy(SAMPLES / name, folder / name)
    return folder


def documents(out):
    return {p.stem: json.loads(p.read_text()) for p in (out / "calls").glob("*.json")}


def comparable(document):
    """What must not depend on how the batch ran."""
    return [(t["speaker"], t["text"]) for t in document["turns"]], sorted((e["type"], e["turn"]) for e in document["events"])


def test_rerun_skips_scored_calls_and_force_redoes_them(tmp_path, models):
    from pipeline.reports.store import Store

    from .test_store import everything

    batch, out, store = good_batch(tmp_path / "batch"), tmp_path / "out", tmp_path / "store.duckdb"
    first = run_batch(discover_calls(batch), out, models=models, store=store)
    assert (first.scored, first.skipped) == (2, 0)
    with Store.open(store) as opened:
        stored = everything(opened)
    again = run_batch(discover_calls(batch), out, models=models, store=store)
    assert (again.scored, again.skipped) == (0, 2)  # skipped calls are not scored again, nor counted so
    assert again.audio_seconds == 0 and again.real_time_factor is None  # no audio was decoded
    with Store.open(store) as opened:
        assert everything(opened) == stored  # the same rows with the same values
    shutil.copy(SAMPLES / "s02_telecom_outage.stereo.flac", batch / GOOD[0])  # new audio under the same name
    changed = run_batch(discover_calls(batch), out, models=models, store=store)
    assert changed.skipped == 1
    with Store.open(store) as opened:
        assert len(opened.query("SELECT * FROM calls")) == 2  # replaced, not added
    assert run_batch(discover_calls(batch), out, models=models, force=True).skipped == 0


def test_fingerprint_follows_options():
    assert fingerprint(PipelineOptions()) == fingerprint(PipelineOptions())
    assert fingerprint(PipelineOptions()) != fingerprint(PipelineOptions.of({"asr": {"beam_size": 1}}))


def test_two_workers_give_the_same_results_as_one(tmp_path, models):
    batch = good_batch(tmp_path / "batch")
    run_batch(discover_calls(batch), tmp_path / "one", models=models)
    summary = run_batch(discover_calls(batch), tmp_path / "two", workers=2)
    assert summary.scored == 2
    one, two = documents(tmp_path / "one"), documents(tmp_path / "two")
    assert {k: comparable(v) for k, v in one.items()} == {k: comparable(v) for k, v in two.items()}


@pytest.mark.slow
def test_dask_cluster_gives_the_same_results_as_a_local_run(tmp_path, models):
    distributed = pytest.importorskip("distributed")
    batch = good_batch(tmp_path / "batch")
    run_batch(discover_calls(batch), tmp_path / "local", models=models)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        summary = run_batch(discover_calls(batch), tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert summary.scored == 2
    local, dask = documents(tmp_path / "local"), documents(tmp_path / "dask")
    assert {k: comparable(v) for k, v in local.items()} == {k: comparable(v) for k, v in dask.items()}


def test_killed_run_resumes_and_scores_every_call_once(tmp_path):
    batch, out = tmp_path / "batch", tmp_path / "out"
    batch.mkdir()
    for i in range(4):
        shutil.copy(SAMPLES / "s02_telecom_outage.stereo.flac", batch / f"c{i}.flac")
    command = [sys.executable, "-m", "pipeline.cli", "run", str(batch), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline and len(list((out / "calls").glob("c*.json"))) < 1:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = len(list((out / "calls").glob("c*.json")))
    assert 1 <= done_before < 4, "the run must be killed partway"
    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scored"] == 4 - done_before and summary["skipped_already_scored"] == done_before
    assert sorted(p.name for p in (out / "calls").iterdir()) == [f"c{i}.json" for i in range(4)]  # no partial files


def test_bad_inputs_each_fail_with_a_clear_message_beside_good_calls(tmp_path, models):
    batch, out = good_batch(tmp_path / "batch"), tmp_path / "out"
    (batch / "zero.wav").write_bytes(b"")
    whole = (SAMPLES / GOOD[1]).read_bytes()
    (batch / "truncated.wav").write_bytes(whole[: len(whole) // 3])
    (batch / "notes.wav").write_text("call notes, not audio\n" * 40)
    write_audio(batch / "silence.wav", np.zeros((16000 * 3, 1), dtype=np.float32), 16000)
    write_audio(batch / "blip.wav", tone(0.4, rate=8000), 8000)
    write_audio(batch / "hifi.wav", tone(2.0, rate=48000), 48000)
    write_audio(batch / "surround.wav", tone(2.0, rate=16000, channels=6), 16000)
    (batch / "dangling.wav").symlink_to(tmp_path / "gone.wav")
    rows = [
        "call_id,file,agent_id,agent_name,customer_name,recorded_at",
        "dup,s01_energy_billing.stereo.flac,A1,Dana,Tim,",
        "dup,s04_retail_gift.mono.wav,A1,Dana,Luis,",
        "ghost,not_here.wav,A1,Dana,Sam,",
        "escape,../outside.wav,A1,Dana,Sam,",
    ]
    (batch / "manifest.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "outside.wav").write_bytes(whole)
    summary = run_batch(discover_calls(batch), out, models=models)
    found = documents(out)
    expect = {
        "zero": "empty", "truncated": "truncated", "notes": "cannot be decoded", "blip": "too short",
        "dangling": "not found", "ghost": "not found", "escape": "outside the batch folder",
        "dup.line3": "duplicate call_id",
    }
    for call_id, words in expect.items():
        assert found[call_id]["status"] == "failed" and words in found[call_id]["error"], (call_id, found[call_id].get("error"))
    for call_id in ("dup", "silence", "hifi", "surround"):
        assert found[call_id]["status"] == "scored", (call_id, found[call_id].get("error"))
    assert "s04_retail_gift.mono" not in found  # a refused row's file is that row's call, not scored again under its name
    assert found["silence"]["turns"] == [] and "no speech" in found["silence"]["warnings"][0]
    # nothing was said, so nothing is scored: no total to pull the agent's mean down
    assert found["silence"]["score"]["total"] is None and found["silence"]["score"]["band"] == "n/a"
    assert {c["result"] for c in found["silence"]["score"]["criteria"]} == {"na"}
    assert found["surround"]["audio"]["channels"] == 6 and found["hifi"]["audio"]["sample_rate"] == 48000
    assert summary.failed == len(expect) and summary.scored == 4


def test_unreadable_file_says_so():
    """As root (CI) every file is readable, so the check runs in a forked child that drops to nobody."""
    import tempfile

    from pipeline.speech.audio import load_audio

    folder = Path(tempfile.mkdtemp())  # pytest's own folders are closed to other users
    try:
        folder.chmod(0o755)
        path = folder / "locked.wav"
        shutil.copy(SAMPLES / GOOD[1], path)
        load_audio(path)  # readable: also imports what decoding needs before the fork
        path.chmod(0)
        message = message_as_nobody(lambda: load_audio(path))
        assert "cannot be read" in message and "permissions" in message, message
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def peak_memory_mb(command: list[str]) -> float:
    """Run `command` and return its peak resident memory in MB."""
    import tempfile

    with tempfile.TemporaryFile() as errors:  # a file, not a pipe that could fill up and stall the run
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)  # the rusage of this one child
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        assert process.returncode == 0, errors.read().decode()
    return usage.ru_maxrss / 1024


def test_a_three_hour_recording_is_scored_in_bounded_memory(tmp_path):
    import soundfile

    call, rate = soundfile.read(SAMPLES / "s03_bank_lost_card.mono.wav", dtype="float32")
    short, long = tmp_path / "short", tmp_path / "long"
    short.mkdir(), long.mkdir()
    shutil.copy(SAMPLES / "s03_bank_lost_card.mono.wav", short / "call.wav")
    # three hours, mostly silence: the same call at the start and just before the end
    length, late = 3 * 3600 * rate, 3 * 3600 * rate - len(call) - rate
    with soundfile.SoundFile(long / "call.flac", "w", rate, 1, format="FLAC", subtype="PCM_16") as handle:
        for start in range(0, length, 600 * rate):
            block = np.zeros(min(600 * rate, length - start), dtype=np.float32)
            for at in (0, late):
                a, b = max(at, start), min(at + len(call), start + len(block))
                if a < b:
                    block[a - start:b - start] = call[a - at:b - at]
            handle.write(block)
    run = [sys.executable, "-m", "pipeline.cli", "run"]
    baseline = peak_memory_mb(run + [str(short), "--out", str(tmp_path / "short_out")])
    peak = peak_memory_mb(run + [str(long), "--out", str(tmp_path / "long_out")])
    # decoded whole, three hours of 16 kHz float32 alone would be 691 MB
    assert peak < baseline + 256, (peak, baseline)
    document = json.loads((tmp_path / "long_out" / "calls" / "call.json").read_text())
    assert document["status"] == "scored" and document["audio"]["duration"] == pytest.approx(10800, abs=1)
    short_turns = json.loads((tmp_path / "short_out" / "calls" / "call.json").read_text())["turns"]
    early = [t for t in document["turns"] if t["start"] < 3600]
    late_turns = [t for t in document["turns"] if t["start"] > late / rate - 1]
    assert len(early) == len(late_turns) == len(short_turns)
    assert [t["speaker"] for t in late_turns] == [t["speaker"] for t in short_turns]


def test_a_call_that_kills_its_worker_twice_fails_alone(tmp_path):
    """Workers are killed from outside (as the out-of-memory killer would): the first pool's while
    calls are in flight, then the next pool's while the first of those is retried alone."""
    import multiprocessing
    import threading

    batch = tmp_path / "batch"
    batch.mkdir()
    for i in range(3):
        shutil.copy(SAMPLES / "s04_retail_gift.mono.wav", batch / f"c{i}.wav")
    killed: list[int] = []
    # processes of earlier tests still on their way out are not this run's workers
    already_there = {p.pid for p in multiprocessing.active_children()}

    def kill_two_pools():
        seen = set(already_there)
        deadline = time.time() + 120
        while len(killed) < 2 and time.time() < deadline:
            # pool workers only: a Dask worker of an earlier test may still be on its way out
            fresh = [p for p in multiprocessing.active_children() if p.pid not in seen and p.name.startswith("SpawnProcess")]
            # a pool starts a process per call handed to it: two in the first, one for a retry
            if len(fresh) >= (1 if killed else 2):
                seen.update(p.pid for p in fresh)
                os.kill(fresh[0].pid, signal.SIGKILL)
                killed.append(fresh[0].pid)
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_two_pools)
    watcher.start()
    summary = run_batch(discover_calls(batch), tmp_path / "out", workers=2)
    watcher.join()
    assert len(killed) == 2
    found = documents(tmp_path / "out")
    failed = [c for c, d in found.items() if d["status"] == "failed"]
    assert (summary.scored, summary.failed) == (2, 1) and len(found) == 3
    # which call was in flight at each kill depends on timing: the one killed in both pools is the one that fails
    assert len(failed) == 1 and "died twice" in found[failed[0]]["error"]


def test_a_nightly_folder_of_symlinks_is_scored_under_the_manifest_ids(tmp_path, models):
    """The recorder's storage lies elsewhere; the nightly folder links into it and its manifest names the links."""
    batch, out = tmp_path / "nightly", tmp_path / "out"
    batch.mkdir()
    (batch / "first.flac").symlink_to(SAMPLES / GOOD[0])
    (batch / "second.wav").symlink_to(SAMPLES / GOOD[1])
    (batch / "manifest.csv").write_text(
        "call_id,file,agent_id,agent_name,customer_name,recorded_at\n"
        "N1,first.flac,A1,Dana,Tim,2026-11-20\nN2,second.wav,A2,Sam,Ann,2026-11-20\n"
        f"N3,../{batch.name}/first.flac,A1,Dana,Bo,2026-11-20\n")
    summary = run_batch(discover_calls(batch), out, models=models)
    found = documents(out)
    assert sorted(found) == ["N1", "N2", "N3"]  # one document per row, none under a file name
    assert found["N1"]["status"] == found["N2"]["status"] == "scored"
    assert found["N3"]["status"] == "failed" and "outside the batch folder" in found["N3"]["error"]
    assert (summary.scored, summary.failed) == (2, 1)


def test_an_output_folder_that_cannot_be_written_is_a_clear_error(tmp_path):
    from pipeline.errors import ConfigError

    batch = good_batch(tmp_path / "batch")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="cannot write results to"):
        run_batch(discover_calls(batch), blocker / "out")


class _NoModels:
    """Stands in for the models in a batch whose calls all fail before any model runs (empty files)."""

    options = PipelineOptions()


def _empty_calls(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.wav").write_bytes(b"")
    return discover_calls(folder)


READ_CALLS = """
import sys, duckdb
print(",".join(sorted(r[0] for r in duckdb.connect(sys.argv[1], read_only=True).execute("SELECT call_id FROM calls").fetchall())))
"""


def test_a_run_writes_the_store_call_by_call_and_lets_readers_in_between(tmp_path):
    """A manager's export during the nightly run: another process opens the store read-only while the
    run goes on (DuckDB refuses that while a process holds the file for writing)."""
    store = tmp_path / "store.duckdb"
    seen = []

    def hook(step, artefact, call_id=""):
        if step == "done":
            reader = subprocess.run([sys.executable, "-c", READ_CALLS, str(store)], capture_output=True, text=True)
            seen.append(reader.stdout.strip() or reader.stderr.strip().splitlines()[-1])

    run_batch(_empty_calls(tmp_path / "batch", ["c1", "c2"]), tmp_path / "out", models=_NoModels(), store=store, hook=hook)
    assert seen == ["c1", "c1,c2"]


def test_a_run_does_not_store_a_purged_call_again_nor_keep_its_json(tmp_path, caplog):
    from pipeline.reports.store import Store

    from .conftest import result_document

    store, out = tmp_path / "store.duckdb", tmp_path / "out"
    with Store.open(store) as opened:
        opened.add([(result_document("c1", "A1", "2026-11-20"), "/old/calls/c1.json")])
        opened.purge(["c1"])
    summary = run_batch(_empty_calls(tmp_path / "batch", ["c1", "c2"]), out, models=_NoModels(), store=store)
    with Store.open(store, read_only=True) as opened:
        assert opened.query("SELECT call_id FROM calls")["call_id"].tolist() == ["c2"]
    assert not (out / "calls" / "c1.json").exists() and (out / "calls" / "c2.json").exists()
    assert "c1" not in summary.failures and summary.failed == 1 and summary.purged == 1
    assert any("c1" in r.getMessage() and "purged" in r.getMessage() for r in caplog.records)


def _workers_of(coordinator: subprocess.Popen, count: int, deadline_s: float = 120.0) -> list:
    """The worker processes that `coordinator` has started, once there are `count` of them."""
    import psutil

    deadline = time.time() + deadline_s
    while time.time() < deadline:
        # the spawn context also starts a resource tracker: workers are the ones running spawn_main
        children = [c for c in psutil.Process(coordinator.pid).children() if "spawn_main" in " ".join(c.cmdline())]
        if len(children) >= count:
            return children
        time.sleep(0.2)
    raise AssertionError(f"the coordinator did not start {count} workers")


def _batch_of_copies(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        shutil.copy(SAMPLES / "s02_telecom_outage.stereo.flac", folder / f"c{i}.flac")
    return folder


def test_workers_die_with_a_killed_coordinator(tmp_path):
    import psutil

    batch = _batch_of_copies(tmp_path / "batch", 3)
    command = [sys.executable, "-m", "pipeline.cli", "run", str(batch), "--out", str(tmp_path / "out"), "--workers", "2"]
    coordinator = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = _workers_of(coordinator, 2)
    coordinator.kill()  # SIGKILL: no handler of the coordinator's runs
    coordinator.wait()
    gone, alive = psutil.wait_procs(workers, timeout=30)
    for worker in alive:
        worker.kill()
    assert alive == [], "workers outlived their coordinator"


def test_sigterm_ends_the_batch_and_its_workers_with_a_summary(tmp_path):
    import psutil

    batch, out = _batch_of_copies(tmp_path / "batch", 3), tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(batch), "--out", str(out), "--workers", "2"]
    coordinator = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    workers = _workers_of(coordinator, 2)
    coordinator.send_signal(signal.SIGTERM)
    output, _ = coordinator.communicate(timeout=60)
    _, alive = psutil.wait_procs(workers, timeout=30)
    for worker in alive:
        worker.kill()
    assert coordinator.returncode == 128 + signal.SIGTERM, output
    assert "stopped by SIGTERM" in output and "run the same command again" in output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] == "SIGTERM" and summary["scored"] + summary["not_done"] == 3
    assert alive == []
    assert not list((out / "calls").glob(".*.tmp"))  # no half-written result


# A corrected manifest on a re-run: the people fields change, the audio is not decoded again

TEXT_ONLY = {"cues": {"sentence_model": False, "judge": False}, "acknowledgements": {"sentence_model": False, "judge": False},
             "checks": {"judge": False}}  # rules alone: no sentence model to load in these tests


def night_of_one_transcript(folder, people: str):
    """A chat transcript in which the agent greets the customer by name, and a manifest row for it."""
    folder.mkdir(parents=True, exist_ok=True)
    turns = [{"speaker": "agent", "start": 0.0, "end": 2.0, "text": "thank you for calling this is Dana"},
             {"speaker": "customer", "start": 2.5, "end": 5.0, "text": "hi my internet has been down since monday"},
             {"speaker": "agent", "start": 5.5, "end": 9.0, "text": "I am sorry to hear that Maria let me check the line"},
             {"speaker": "agent", "start": 9.5, "end": 12.0, "text": "thanks Maria I will call you back today"}]
    (folder / "chat.transcript.json").write_text(json.dumps({"turns": turns}))
    (folder / "manifest.csv").write_text(f"call_id,file,agent_id,agent_name,customer_name,recorded_at,queue\nC1,chat.transcript.json,{people}\n")
    return folder


def test_a_corrected_manifest_updates_people_and_name_use_without_scoring_again(tmp_path, monkeypatch):
    from pipeline.reports.store import Store

    batch, out, store = tmp_path / "night", tmp_path / "out", tmp_path / "store.duckdb"
    options = PipelineOptions.of(TEXT_ONLY)
    night_of_one_transcript(batch, "A9,Wrong Agent,Tim Baker,2026-11-20T09:00:00,billing")
    first = run_batch(discover_calls(batch), out, options, store=store)
    assert first.scored == 1, first.failures
    before = documents(out)["C1"]
    assert before["checks"]["name"]["uses"] == 0  # the wrong name is never said

    def no_decoding(*args, **kwargs):
        raise AssertionError("the call was analysed again")

    monkeypatch.setattr("pipeline.run.analyse_call", no_decoding)
    night_of_one_transcript(batch, "A1,Dana,Maria Lopez,2026-11-21T10:30:00,outages")
    again = run_batch(discover_calls(batch), out, options, store=store)
    assert (again.scored, again.skipped, again.updated, again.failed) == (0, 0, 1, 0), again.failures
    assert json.loads((out / "summary.json").read_text())["updated"] == 1
    after = documents(out)["C1"]
    assert (after["agent"], after["customer"], after["recorded_at"], after["queue"]) == (
        {"id": "A1", "name": "Dana"}, {"name": "Maria Lopez"}, "2026-11-21T10:30:00", "outages")
    assert after["checks"]["name"]["uses"] == 2 and any(e["type"] == "name_use" for e in after["events"])
    assert after["turns"] == before["turns"] and after["fingerprint"] == before["fingerprint"]
    name_criteria = [c for c in after["score"]["criteria"] if "name" in c["id"]]
    assert name_criteria and name_criteria != [c for c in before["score"]["criteria"] if "name" in c["id"]]
    with Store.open(store) as opened:
        row = opened.query("SELECT agent_id, agent_name, queue, recorded_at, total FROM calls").to_dict("records")
    assert len(row) == 1 and (row[0]["agent_id"], row[0]["agent_name"], row[0]["queue"]) == ("A1", "Dana", "outages")
    assert str(row[0]["recorded_at"]) == "2026-11-21 10:30:00" and row[0]["total"] == after["score"]["total"]
    third = run_batch(discover_calls(batch), out, options, store=store)
    assert (third.skipped, third.updated) == (1, 0)  # nothing changed since: skipped as before


def test_text_stages_run_again_with_the_same_people_give_the_same_document(tmp_path):
    from pipeline.bundle import ModelBundle
    from pipeline.reports.scorecard import load_scorecard
    from pipeline.run import rerun_text_stages

    batch, out = tmp_path / "night", tmp_path / "out"
    options = PipelineOptions.of(TEXT_ONLY)
    night_of_one_transcript(batch, "A1,Dana,Maria Lopez,2026-11-21T10:30:00,outages")
    specs = discover_calls(batch)
    run_batch(specs, out, options)
    stored = documents(out)["C1"]
    again = rerun_text_stages(stored, specs[0], ModelBundle(options, None, None), scorecard=load_scorecard())
    assert json.loads(json.dumps(again)) == stored  # as written to disk


def test_undated_calls_are_counted_in_the_summary(tmp_path):
    batch, out = tmp_path / "night", tmp_path / "out"
    night_of_one_transcript(batch, "A1,Dana,Maria Lopez,,outages")
    summary = run_batch(discover_calls(batch), out, PipelineOptions.of(TEXT_ONLY))
    assert summary.scored == 1 and json.loads((out / "summary.json").read_text())["no_recorded_at"] == 1


def test_a_masked_result_whose_names_changed_is_scored_again_from_its_audio(tmp_path):
    """--redact stores masked turns: name use cannot be read again from them, so only the fields that
    no stage reads are updated in place."""
    from pipeline.batch import changed_people, update_people
    from pipeline.models import CallSpec
    from pipeline.reports.scorecard import load_scorecard

    from .conftest import result_document

    document = {**result_document("C1", "A1", "2026-11-20T09:00:00", customer_name="[Customer]"), "redactions": []}
    document["agent"]["name"] = "Dana"
    spec = CallSpec("C1", "c1.wav", agent_id="A2", agent_name="Dana", customer_name="Maria Lopez",
                    recorded_at="2026-11-21", queue="billing")
    assert changed_people(spec, document) == ["agent_id", "recorded_at"]  # the masked customer name cannot be compared
    updated = update_people(spec, document, ["agent_id", "recorded_at"], tmp_path, load_scorecard(), models=None)
    assert (updated["agent"]["id"], updated["recorded_at"]) == ("A2", "2026-11-21")
    assert json.loads((tmp_path / "calls" / "C1.json").read_text())["agent"]["id"] == "A2"
    renamed = CallSpec(**{**vars(spec), "agent_name": "Dana Whitfield"})
    assert update_people(renamed, document, changed_people(renamed, document), tmp_path, load_scorecard(), models=None) is None
