"""The DuckDB store across nights, from documents built in code."""
import json

import pytest

from pipeline.errors import ConfigError
from pipeline.reports.store import Store, result_documents

from .conftest import message_as_nobody, result_document, write_night


def everything(store):
    """Every row of every table, with missing values as None (NaN is never equal to itself)."""
    frames = {table: store.query(f"SELECT * FROM {table} ORDER BY ALL") for table in ("calls", "criteria", "runs")}
    return {table: frame.astype(object).where(frame.notna(), None).to_dict("records") for table, frame in frames.items()}


def test_writing_a_night_again_leaves_the_store_unchanged(tmp_path):
    night = write_night(tmp_path / "n1", [result_document(f"c{i}", "A1", "2026-11-20T10:00:00", acknowledged=i % 3) for i in range(4)])
    with Store.open(tmp_path / "s.duckdb") as store:
        store.add(result_documents([night]))
        first = everything(store)
        store.add(result_documents([night]))
        assert everything(store) == first
    assert len(first["calls"]) == 4 and len(first["criteria"]) == 4 * 10 and len(first["runs"]) == 1


def test_the_same_call_id_replaces_its_rows(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        store.add([(result_document("c1", "A1", "2026-11-20", recap=True), "a.json")])
        store.add([(result_document("c1", "A1", "2026-11-20", recap=False), "a.json")])
        rows = store.query("SELECT recap, total FROM calls").to_dict("records")
        assert len(rows) == 1 and not bool(rows[0]["recap"])
        assert store.query("SELECT count(*) AS n FROM criteria WHERE call_id = 'c1'")["n"][0] == 10


def test_purge_removes_the_rows_and_names_the_json(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        store.add([(result_document(c, "A1", "2026-11-20"), f"/r/{c}.json") for c in ("c1", "c2")])
        assert store.purge(["c1", "nope"]) == ["/r/c1.json"]
        assert store.query("SELECT call_id FROM calls")["call_id"].tolist() == ["c2"]
        assert set(store.query("SELECT DISTINCT call_id FROM criteria")["call_id"]) == {"c2"}


def test_a_file_that_is_not_a_duckdb_database_is_refused_clearly(tmp_path):
    fake = tmp_path / "store.duckdb"
    fake.write_text("call_id,total\nc1,80\n")
    with pytest.raises(ConfigError, match="not a callqa store"):
        Store.open(fake)


def test_results_that_cannot_be_read_are_named(tmp_path):
    night = write_night(tmp_path / "n1", [result_document("c1", "A1", "2026-11-20")])
    (night / "calls" / "broken.json").write_text('{"call_id": ')
    with pytest.raises(ConfigError, match="broken.json: not a result document"):
        list(result_documents([night]))
    with pytest.raises(ConfigError, match="no results folder"):
        list(result_documents([tmp_path / "missing"]))
    (tmp_path / "n2" / "calls").mkdir(parents=True)
    (tmp_path / "n2" / "summary.json").write_text(json.dumps({"scored": 0}))
    assert list(result_documents([tmp_path / "n2"])) == []


def test_an_unreadable_results_folder_is_named():
    """As root every folder is readable, so the check runs in a forked child that drops to nobody."""
    import shutil
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())  # pytest's own folders are closed to other users
    try:
        folder.chmod(0o755)
        night = write_night(folder / "night", [result_document("c1", "A1", "2026-11-20")])
        (night / "calls").chmod(0)
        message = message_as_nobody(lambda: list(result_documents([night])))
        assert "cannot read results folder" in message and "permissions" in message, message
    finally:
        (folder / "night" / "calls").chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_purged_call_is_tombstoned_and_never_added_again(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        store.add([(result_document(c, "A1", "2026-11-20"), f"/r/{c}.json") for c in ("c1", "c2")])
        store.purge(["c1", "nope"], reason="customer request 4411")
        again = result_document("c1", "A1", "2026-11-20")
        same_audio = {**result_document("c9", "A1", "2026-11-20"), "audio": again["audio"]}  # the recording under another id
        assert store.add([(again, "/other/c1.json"), (same_audio, "/other/c9.json"), (result_document("c3", "A1", "2026-11-20"), "/r/c3.json")]) == 1
        assert store.skipped_as_purged == [("c1", "/other/c1.json"), ("c9", "/other/c9.json")]
        assert sorted(store.query("SELECT call_id FROM calls")["call_id"]) == ["c2", "c3"]
        tombstone = store.query("SELECT * FROM purged").to_dict("records")
    assert len(tombstone) == 1 and tombstone[0]["call_id"] == "c1"  # none for an id it never held and tombstone[0]["sha256"] == "c1c1"
    assert tombstone[0]["reason"] == "customer request 4411" and tombstone[0]["purged_at"] is not None


def test_purge_names_every_json_the_call_was_stored_from(tmp_path):
    """A call scored into two output folders: the store was written from both, and both copies go."""
    with Store.open(tmp_path / "s.duckdb") as store:
        store.add([(result_document("c1", "A1", "2026-11-20"), "/night1/calls/c1.json")])
        store.add([(result_document("c1", "A1", "2026-11-20"), "/rerun/calls/c1.json")])
        store.add([(result_document("c2", "A1", "2026-11-20"), f"/{night}/calls/c2.json") for night in ("night1", "rerun")])  # one ingest
        assert sorted(store.purge(["c1"])) == ["/night1/calls/c1.json", "/rerun/calls/c1.json"]
        assert sorted(store.purge(["c2"])) == ["/night1/calls/c2.json", "/rerun/calls/c2.json"]


HOLD_STORE = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
connection.close()
"""


def _holder(path, seconds):
    """Another process (a run writing one call, say) that holds the store for writing for `seconds`."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", HOLD_STORE, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "holding"
    return child


def test_a_reader_waits_for_a_writer_that_holds_the_store_briefly(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path) as store:
        store.add([(result_document("c1", "A1", "2026-11-20"), "/r/c1.json")])
    child = _holder(path, 1.5)
    try:
        with Store.open(path, create=False, read_only=True) as reader:
            assert reader.query("SELECT call_id FROM calls")["call_id"].tolist() == ["c1"]
    finally:
        child.wait()


def test_a_store_held_past_the_wait_names_the_process_that_holds_it(tmp_path):
    path = tmp_path / "s.duckdb"
    Store.open(path).close()
    child = _holder(path, 20)
    try:
        with pytest.raises(ConfigError, match=f"in use by process {child.pid}") as raised:
            Store.open(path, read_only=True, wait_s=0.5)
        assert "python" in raised.value.message and "wait" in raised.value.hint  # what holds it, by its command line
    finally:
        child.kill()
        child.wait()
