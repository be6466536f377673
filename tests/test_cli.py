import json
import shutil

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
