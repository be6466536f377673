import json
import shutil

import pytest

from typer.testing import CliRunner

from pipeline.cli import EXIT_SOME_FAILED, app

from .conftest import SAMPLES

runner = CliRunner()


def test_run_reports_summary_and_exit_code_when_some_calls_fail(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLES / "s01_energy_billing.stereo.flac", batch / "c1.flac")
    (batch / "c2.wav").write_bytes(b"")
    result = runner.invoke(app, ["run", str(batch), "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert "failed" in result.output and "c2" in result.output and "empty" in result.output
    assert json.loads((tmp_path / "out" / "calls" / "c1.json").read_text())["status"] == "scored"


def test_library_errors_become_a_message_and_exit_code(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "missing"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "batch folder not found" in result.output
    assert "Traceback" not in result.output


def test_unknown_model_path_is_a_clear_error(tmp_path):
    shutil.copy(SAMPLES / "s01_energy_billing.stereo.flac", tmp_path / "c1.flac")
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "out"), "--asr-model", str(tmp_path / "no-model")])
    assert result.exit_code == 1
    assert "cannot load ASR model" in result.output


def test_evaluate_prints_and_saves_metrics(sample_results, tmp_path):
    target = tmp_path / "metrics.json"
    result = runner.invoke(app, ["evaluate", "--truth", str(SAMPLES), "--results", str(sample_results), "--save", str(target)])
    assert result.exit_code == 0, result.output
    assert "wer" in result.output
    assert json.loads(target.read_text())["overall"]["calls"] == 4


def test_an_unwritable_output_folder_is_a_message_not_a_traceback(tmp_path):
    shutil.copy(SAMPLES / "s01_energy_billing.stereo.flac", tmp_path / "c1.flac")
    (tmp_path / "taken").write_text("a file where the output folder should be")
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "taken" / "out")])
    assert result.exit_code == 1, result.output
    assert "cannot write results to" in result.output and "Traceback" not in result.output


def test_a_malformed_truth_file_is_named_in_the_message(sample_results, tmp_path):
    (tmp_path / "s01_energy_billing.truth.json").write_text('{"call_id": "s01_energy_billing", "turns": [')
    result = runner.invoke(app, ["evaluate", "--truth", str(tmp_path), "--results", str(sample_results)])
    assert result.exit_code == 1, result.output
    assert "s01_energy_billing.truth.json" in result.output and "not valid JSON" in result.output


def test_verbose_logs_each_stage_of_each_call(tmp_path):
    shutil.copy(SAMPLES / "s04_retail_gift.mono.wav", tmp_path / "c1.wav")
    result = runner.invoke(app, ["--verbose", "run", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    for stage in ("load", "vad", "transcribe", "diarize", "roles", "turns", "prosody", "tone", "behaviours"):
        assert f"c1: {stage} took" in result.output, stage


def nights(tmp_path, *, weight_card=None):
    from .conftest import result_document, write_night

    folders = []
    for night in ("2026-11-18", "2026-11-19", "2026-11-20"):
        calls = [result_document(f"{night}-{agent}-{k}", agent, f"{night}T1{k}:00:00", cues=k, acknowledged=k // 2,
                                 recap=k != 1, customer_name="=cmd|' /C calc'!A0" if k == 2 else "Tim")
                 for agent in ("A1", "A2") for k in range(3)]
        folders.append(write_night(tmp_path / night, calls))
    return folders


def test_ingest_report_and_export(tmp_path):
    store = str(tmp_path / "store.duckdb")
    result = runner.invoke(app, ["ingest", *map(str, nights(tmp_path)), "--store", store])
    assert result.exit_code == 0 and "18 calls" in result.output, result.output
    result = runner.invoke(app, ["report", "agents", "--from", "2026-11-18", "--to", "2026-11-20", "--out", str(tmp_path / "agents"),
                                 "--store", store])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "agents.html").read_text()
    assert "<svg" in page and "A1" in page and "A2" in page
    assert "http" not in page and "<script" not in page  # self-contained: nothing fetched, nothing run
    import pandas as pd

    assert pd.read_csv(tmp_path / "agents.csv")["calls"].tolist() == [9, 9]
    result = runner.invoke(app, ["export", "--by", "call", "--store", store])
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split(",")
    assert header[:3] == ["call_id", "recorded_at", "agent_id"] and "criterion_recapped" in header
    result = runner.invoke(app, ["export", "--by", "agent", "--format", "xlsx", "--out", str(tmp_path / "a.xlsx"), "--store", store])
    assert result.exit_code == 0 and (tmp_path / "a.xlsx").is_file(), result.output


def test_rescore_with_a_changed_weight_changes_only_the_totals_that_depend_on_it(tmp_path):
    import json

    from .conftest import ROOT

    store = str(tmp_path / "store.duckdb")
    folders = nights(tmp_path)
    assert runner.invoke(app, ["ingest", *map(str, folders), "--store", store]).exit_code == 0
    before = {p.stem: json.loads(p.read_text()) for f in folders for p in (f / "calls").glob("*.json")}
    card = (ROOT / "scorecards" / "default.yaml").read_text()
    changed = tmp_path / "heavier-recap.yaml"
    changed.write_text(card.replace('version: "1"', 'version: "2"').replace("measure: recap\n        weight: 10", "measure: recap\n        weight: 30"))
    result = runner.invoke(app, ["rescore", "--scorecard", str(changed), "--store", store])
    assert result.exit_code == 0 and "18 calls rescored" in result.output, result.output
    for folder in folders:
        for path in (folder / "calls").glob("*.json"):
            after, old = json.loads(path.read_text())["score"], before[path.stem]["score"]
            assert after["version"] == "2"
            recap = next(c for c in old["criteria"] if c["id"] == "recapped")
            # the total moves exactly when the recap criterion neither passed alongside everything else nor was N/A
            depends = recap["result"] != "na" and old["total"] != 100.0
            assert (after["total"] != old["total"]) == depends, path.stem
    from pipeline.reports.store import Store

    with Store.open(store) as opened:
        stored = opened.query("SELECT call_id, total, scorecard_version FROM calls").set_index("call_id")
    assert set(stored["scorecard_version"]) == {"2"}
    for folder in folders:
        for path in (folder / "calls").glob("*.json"):
            assert stored.loc[path.stem, "total"] == json.loads(path.read_text())["score"]["total"]


def test_purge_removes_a_call_from_the_store_and_its_json(tmp_path):
    store = str(tmp_path / "store.duckdb")
    folders = nights(tmp_path)
    assert runner.invoke(app, ["ingest", *map(str, folders), "--store", store]).exit_code == 0
    target = folders[0] / "calls" / "2026-11-18-A1-0.json"
    result = runner.invoke(app, ["purge", "2026-11-18-A1-0", "--store", store])
    assert result.exit_code == 0 and not target.exists(), result.output
    assert "2026-11-18-A1-0" not in runner.invoke(app, ["export", "--store", store]).stdout


def test_report_errors_are_messages_with_exit_codes(tmp_path):
    store = tmp_path / "store.duckdb"
    assert runner.invoke(app, ["ingest", *map(str, nights(tmp_path)), "--store", str(store)]).exit_code == 0
    empty = runner.invoke(app, ["report", "agents", "--from", "2027-01-01", "--to", "2027-01-31", "--store", str(store),
                                "--out", str(tmp_path / "r")])
    assert empty.exit_code == 4 and "no scored calls from 2027-01-01 to 2027-01-31" in empty.output
    (tmp_path / "fake.duckdb").write_text("not a database")
    fake = runner.invoke(app, ["export", "--store", str(tmp_path / "fake.duckdb")])
    assert fake.exit_code == 1 and "not a callqa store" in fake.output
    missing = runner.invoke(app, ["export", "--store", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "not found" in missing.output
    (tmp_path / "broken.yaml").write_text("id: x\nsections: [\n")
    broken = runner.invoke(app, ["rescore", "--scorecard", str(tmp_path / "broken.yaml"), "--store", str(store)])
    assert broken.exit_code == 1 and "broken.yaml" in broken.output and "not valid YAML" in broken.output
    nothing = runner.invoke(app, ["ingest", str(tmp_path / "no-such-night"), "--store", str(store)])
    assert nothing.exit_code == 1 and "no results folder" in nothing.output
    for result in (empty, fake, missing, broken, nothing):
        assert "Traceback" not in result.output


def test_purge_removes_every_copy_and_nothing_brings_the_call_back(tmp_path):
    import os
    import stat

    store, gone, kept = str(tmp_path / "store.duckdb"), "2026-11-18-A1-0", "2026-11-18-A1-1"
    first = nights(tmp_path)[0]
    rerun, stray = tmp_path / "rerun", tmp_path / "stray"
    shutil.copytree(first, rerun)  # the night scored into a second folder too: the store is written from both
    shutil.copytree(first, stray)  # a copy the store never saw
    assert runner.invoke(app, ["ingest", str(first), str(rerun), "--store", store]).exit_code == 0
    assert runner.invoke(app, ["review", "--batch", str(first)]).exit_code == 0
    assert f'href="{gone}.html"' in (first / "review" / "index.html").read_text()

    result = runner.invoke(app, ["purge", gone, "--reason", "customer request 4411", "--store", store])
    assert result.exit_code == 0, result.output
    assert not (first / "calls" / f"{gone}.json").exists() and not (rerun / "calls" / f"{gone}.json").exists()
    assert not (first / "review" / f"{gone}.html").exists() and (first / "review" / f"{kept}.html").exists()
    index = (first / "review" / "index.html").read_text()
    assert gone not in index and f'href="{kept}.html"' in index
    assert "2 result files" in result.output and "1 review page" in result.output, result.output

    again = runner.invoke(app, ["ingest", str(stray), "--store", store])
    assert again.exit_code == 0 and "5 calls written" in again.output and "1 skipped as purged" in again.output, again.output
    assert not (stray / "calls" / f"{gone}.json").exists() and (stray / "calls" / f"{kept}.json").exists()
    assert gone not in runner.invoke(app, ["export", "--store", store]).stdout
    assert not stat.S_IMODE(os.stat(first / "review" / "index.html").st_mode) & 0o100  # rewritten as a page, not made executable


def test_purge_of_an_id_the_store_does_not_hold_says_so(tmp_path):
    store = str(tmp_path / "store.duckdb")
    assert runner.invoke(app, ["ingest", str(nights(tmp_path)[0]), "--store", store]).exit_code == 0
    result = runner.invoke(app, ["purge", "2026-11-18-A1-0", "c-typo", "--store", store])
    assert result.exit_code == 1 and "c-typo" in result.output and "1 of 2" in result.output, result.output


def test_export_refuses_an_unknown_table_or_format_as_a_bad_argument(tmp_path):
    store = str(tmp_path / "store.duckdb")
    assert runner.invoke(app, ["ingest", str(nights(tmp_path)[0]), "--store", store]).exit_code == 0
    by = runner.invoke(app, ["export", "--by", "week", "--store", store])
    assert by.exit_code == 2 and "week" in by.output and all(t in by.output for t in ("call", "agent", "criterion", "turn")), by.output
    form = runner.invoke(app, ["export", "--format", "json", "--out", str(tmp_path / "x.json"), "--store", store])
    assert form.exit_code == 2 and "json" in form.output and all(f in form.output for f in ("csv", "xlsx", "parquet")), form.output


def test_an_export_that_shows_personal_data_is_its_owners_alone(tmp_path):
    import os
    import stat

    store = str(tmp_path / "store.duckdb")
    assert runner.invoke(app, ["ingest", str(nights(tmp_path)[0]), "--store", store]).exit_code == 0
    for format in ("csv", "xlsx", "parquet"):
        shown, masked = tmp_path / f"shown.{format}", tmp_path / f"masked.{format}"
        args = ["export", "--by", "turn", "--format", format, "--store", store, "--out"]
        assert runner.invoke(app, [*args, str(shown), "--show-pii"]).exit_code == 0
        assert runner.invoke(app, [*args, str(masked)]).exit_code == 0
        assert stat.S_IMODE(os.stat(shown).st_mode) == 0o600, format
        assert stat.S_IMODE(os.stat(masked).st_mode) & 0o044, format  # masked: readable by the team, as before


def test_report_says_how_many_scored_calls_have_no_date_and_never_guesses_one(tmp_path, recwarn):
    """Dates are read once, from the manifest, as ISO 8601: a stored value in any other form is no date."""
    from .conftest import result_document, write_night

    recorded = {"iso": "2026-11-20T09:15:00", "empty": "", "us": "11/29/2026", "ambiguous": "03/04/2026"}
    night = write_night(tmp_path / "night", [result_document(c, "A1", at) for c, at in recorded.items()])
    store = str(tmp_path / "store.duckdb")
    assert runner.invoke(app, ["ingest", str(night), "--store", store]).exit_code == 0
    result = runner.invoke(app, ["report", "agents", "--store", store, "--out", str(tmp_path / "agents")])
    assert result.exit_code == 0, result.output
    assert "3 scored calls in the store have no recorded_at" in " ".join(result.output.split())
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]  # no pandas date guessing


def test_a_date_format_without_a_date_is_a_bad_argument(tmp_path):
    shutil.copy(SAMPLES / "s04_retail_gift.mono.wav", tmp_path / "c1.wav")
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "out"), "--date-format", "mm/dd/yyyy"])
    assert result.exit_code == 2, result.output
    assert "--date-format" in result.output and "full date" in result.output


def test_report_and_export_keep_agents_without_an_id_apart_and_say_how_many_calls_lack_one(tmp_path):
    from .conftest import result_document, write_night

    calls = [{**result_document(f"e{k}", "", "2026-11-20T09:15:00"), "agent": {"id": "", "name": name}}
             for k, name in enumerate(["Empty One", "Empty Two"])]
    night = write_night(tmp_path / "night", calls + [result_document("k1", "A1", "2026-11-20T10:00:00")])
    store = str(tmp_path / "store.duckdb")
    assert runner.invoke(app, ["ingest", str(night), "--store", store]).exit_code == 0
    result = runner.invoke(app, ["report", "agents", "--store", store, "--out", str(tmp_path / "agents")])
    assert result.exit_code == 0, result.output
    assert "2 call(s) have no agent_id" in " ".join(result.output.split())
    import pandas as pd

    table = pd.read_csv(tmp_path / "agents.csv")
    assert table["agent"].tolist() == ["A1", "Empty One (no agent id)", "Empty Two (no agent id)"]
    page = (tmp_path / "agents.html").read_text()
    assert "Empty One (no agent id)" in page and "Empty Two (no agent id)" in page
    result = runner.invoke(app, ["export", "--by", "agent", "--store", store])
    assert result.exit_code == 0 and "2 call(s) have no agent_id" in " ".join(result.stderr.split())
    assert result.stdout.count("(no agent id)") == 2


def test_a_malformed_vocabulary_stops_the_run_before_any_call_is_scored(tmp_path):
    shutil.copy(SAMPLES / "s04_retail_gift.mono.wav", tmp_path / "c1.wav")
    (tmp_path / "vocabulary.yaml").write_text("term: [Fibrelink]\n")
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "out"), "--vocabulary", str(tmp_path / "vocabulary.yaml")])
    assert result.exit_code == 1, result.output
    assert "unknown key(s) term" in " ".join(result.output.split()) and not (tmp_path / "out" / "calls" / "c1.json").exists()


@pytest.mark.parametrize("extra, heard", [([], False), (["--hot-words"], True), (["--vocabulary", "VOCABULARY"], True)])
def test_a_vocabulary_turns_hot_words_on(tmp_path, monkeypatch, extra, heard):
    """Hot words are off by default; a user who gives a vocabulary wants it heard."""
    import pipeline.batch
    from pipeline.errors import QAError

    shutil.copy(SAMPLES / "s04_retail_gift.mono.wav", tmp_path / "c1.wav")
    (tmp_path / "vocabulary.yaml").write_text("terms: [Fibrelink]\n")
    seen = []

    def capture(specs, out, options=None, **kwargs):
        seen.append(options)
        raise QAError("stopped by the test")

    monkeypatch.setattr(pipeline.batch, "run_batch", capture)
    arguments = [str(tmp_path / "vocabulary.yaml") if a == "VOCABULARY" else a for a in extra]
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "out"), *arguments])
    assert result.exit_code == 1 and "stopped by the test" in result.output, result.output
    assert seen[0].asr.hot_words is heard
