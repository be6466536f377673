import pytest

from pipeline.errors import ManifestError
from pipeline.manifest import discover_calls

HEADER = "call_id,file,agent_id,agent_name,customer_name,recorded_at"


def test_without_manifest_ids_come_from_file_names(tmp_path):
    for name in ("c1.wav", "c2.mp3", "notes.txt", "c3.wav", "c3.flac"):
        (tmp_path / name).write_bytes(b"x")
    specs = discover_calls(tmp_path)
    assert sorted(s.call_id for s in specs) == ["c1", "c2", "c3.flac", "c3.wav"]
    assert all(s.agent_id == "" for s in specs)


def test_manifest_rows_carry_people_and_channel(tmp_path):
    (tmp_path / "a.wav").write_bytes(b"x")
    (tmp_path / "extra.wav").write_bytes(b"x")
    (tmp_path / "m.csv").write_text(f"{HEADER},queue,agent_channel\nX1,a.wav,A1,Dana W,Tim B,2026-11-20,billing,1\n")
    specs = discover_calls(tmp_path, tmp_path / "m.csv")
    assert [(s.call_id, s.agent_name, s.customer_name, s.queue, s.agent_channel) for s in specs] == [
        ("X1", "Dana W", "Tim B", "billing", 1), ("extra", "", "", "", None)]


def test_manifest_csv_in_batch_is_used_by_default(tmp_path):
    (tmp_path / "manifest.csv").write_text(f"{HEADER}\nX1,a.wav,A1,Dana,Tim,\n")
    assert [s.call_id for s in discover_calls(tmp_path)] == ["X1"]


def test_manifest_missing_columns_is_refused(tmp_path):
    (tmp_path / "m.csv").write_text("call_id,file\nX1,a.wav\n")
    with pytest.raises(ManifestError, match="lacks column.*agent_id"):
        discover_calls(tmp_path, tmp_path / "m.csv")


def test_manifest_path_outside_batch_is_refused_for_that_row(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "m.csv").write_text(f"{HEADER}\nX1,../secret.wav,A1,Dana,Tim,\nX2,ok.wav,A1,Dana,Tim,\n")
    first, second = discover_calls(batch, batch / "m.csv")
    assert "outside the batch folder" in first.problem and "refused" in first.problem
    assert second.problem == ""


def test_duplicate_and_unsafe_call_ids_are_problems_of_their_rows(tmp_path):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,a.wav,1,D,T,\nA,b.wav,1,D,T,\n../x,c.wav,1,D,T,\n")
    specs = discover_calls(tmp_path, tmp_path / "m.csv")
    assert [s.call_id for s in specs] == ["A", "A.line3", "line4"]
    assert specs[0].problem == "" and "duplicate call_id 'A' (first on line 2)" in specs[1].problem
    assert "may hold only" in specs[2].problem


def test_missing_batch_folder(tmp_path):
    with pytest.raises(ManifestError, match="batch folder not found"):
        discover_calls(tmp_path / "nope")


def test_a_file_named_by_a_refused_row_is_not_scored_again_under_its_name(tmp_path):
    (tmp_path / "a.wav").write_bytes(b"x")
    (tmp_path / "manifest.csv").write_text(f"{HEADER}\nbad id!,a.wav,A1,Dana,Tim,2026-11-20\n")
    specs = discover_calls(tmp_path)
    assert len(specs) == 1 and "call_id" in specs[0].problem
