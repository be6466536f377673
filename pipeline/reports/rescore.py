"""Score stored calls again with another scorecard, from their JSON documents: no transcription.
The documents stay the record, so each is rewritten with its new score, then the store."""
from __future__ import annotations

from datetime import date

from ..errors import QAError
from ..results import read_json, score_document, write_json
from .score import score_call
from .scorecard import Scorecard
from .store import Store

def rescore_calls(store: Store, scorecard: Scorecard, start: date | None = None, end: date | None = None) -> int:
    """Rescore the scored calls recorded in [start, end]; returns how many."""
    rows = store.result_paths(start, end)
    if not rows:
        raise QAError("no scored calls in the store for that period", "choose another period with --from and --to")
    return store.add_all(_rescored(rows, scorecard))


def _rescored(rows: list[tuple[str, str]], scorecard: Scorecard):
    for call_id, path in rows:
        try:
            document = read_json(path)
        except (OSError, ValueError) as error:
            raise QAError(f"cannot read the result of {call_id} at {path}: {error}",
                          "the JSON documents are the record: restore them, or `callqa purge` the call") from error
        document["score"] = score_document(score_call(document, scorecard))
        write_json(path, document)
        yield document, path
