from pipeline.store import read_json, write_json


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
