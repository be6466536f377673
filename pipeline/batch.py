"""A batch of calls: in parallel processes or on a Dask cluster, resumable, with a result or a
recorded failure for every call."""
from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from .audio import file_sha256
from .config import PipelineOptions
from .errors import ConfigError, QAError
from .lexicon import LEXICONS
from .models import CallSpec
from .results import failed_document
from .store import call_path, read_json, write_json

logger = logging.getLogger("callqa")

# hook(step, artefact, call_id=…): progress reported to the caller instead of printed here.
Hook = Callable[..., None]
WORKER_DIED = "the worker scoring this call died twice (out of memory, or killed); the call was not scored"


@dataclass
class BatchSummary:
    scored: int = 0
    failed: int = 0
    skipped: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def real_time_factor(self) -> float | None:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else None

    def add(self, document: dict) -> None:
        if document["status"] == "scored":
            self.scored += 1
            self.audio_seconds += document["audio"]["duration"]
        else:
            self.failed += 1
            self.failures[document["call_id"]] = document["error"]

    def as_dict(self) -> dict:
        return {
            "scored": self.scored,
            "failed": self.failed,
            "skipped_already_scored": self.skipped,
            "audio_hours": round(self.audio_seconds / 3600, 4),
            "wall_seconds": round(self.wall_seconds, 2),
            "real_time_factor": None if self.real_time_factor is None else round(self.real_time_factor, 4),
            "failures": self.failures,
        }


def fingerprint(options: PipelineOptions) -> str:
    """What a result depends on besides its audio: the options (models included) and the phrase lists
    and training sentences. A re-run skips a call whose stored fingerprint and audio hash match."""
    digest = hashlib.sha256(json.dumps(asdict(options), sort_keys=True, default=str).encode())
    for path in sorted(LEXICONS.parent.glob("lexicons/*.yaml")) + sorted(LEXICONS.parent.glob("training/*.yaml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def already_scored(spec: CallSpec, out: Path, stamp: str) -> dict | None:
    """The stored result of `spec` when it was scored from the same audio with the same fingerprint."""
    path = call_path(out, spec.call_id)
    if not path.is_file() or spec.problem:
        return None
    try:
        document = read_json(path)
    except (OSError, ValueError):
        return None  # unreadable: score it again
    if document.get("status") != "scored" or document.get("fingerprint") != stamp:
        return None
    try:
        return document if document["audio"]["sha256"] == file_sha256(Path(spec.path)) else None
    except OSError:
        return None


def remove_partial_files(out: Path) -> None:
    """Temporary files that a killed run left behind (results are renamed into place whole)."""
    for stale in (out / "calls").glob(".*.tmp") if (out / "calls").is_dir() else ():
        stale.unlink(missing_ok=True)


# One scorer per worker process, loaded on its first call and kept for the rest.
_SCORERS: dict[str, object] = {}


def _score_in_worker(spec: CallSpec, out: str, options: PipelineOptions, stamp: str, rttm: bool, threads: int) -> dict:
    from .run import Scorer, score_call

    scorer = _SCORERS.get(stamp)
    if scorer is None:
        if threads:
            import torch

            torch.set_num_threads(threads)
        scorer = Scorer(options, rttm_dir=Path(out) / "rttm" if rttm else None)
        _SCORERS[stamp] = scorer
    document = score_call(scorer, spec, out, fingerprint=stamp)
    # the caller needs only what the summary counts; the document itself is on disk
    return {"call_id": document["call_id"], "status": document["status"], "error": document.get("error", ""),
            "audio": {"duration": document.get("audio", {}).get("duration", 0.0)}}


def run_batch(specs: list[CallSpec], out: str | Path, options: PipelineOptions | dict | None = None, *,
              hook: Hook | None = None, rttm: bool = False, workers: int = 1, scheduler: str | None = None,
              force: bool = False) -> BatchSummary:
    """Score every call of `specs` into `out/calls/` and write `out/summary.json`.

    Calls already scored from the same audio with the same fingerprint are skipped unless `force`.
    `workers` > 1 runs processes on this machine; `scheduler` (a Dask scheduler address) runs the
    same work on a cluster whose workers see the same paths. A worker that dies is retried once.
    """
    started = time.perf_counter()
    options = PipelineOptions.of(options)
    out = Path(out)
    (out / "calls").mkdir(parents=True, exist_ok=True)
    if rttm:
        (out / "rttm").mkdir(parents=True, exist_ok=True)
    remove_partial_files(out)
    hook = hook or (lambda *args, **kwargs: None)
    summary = BatchSummary()
    stamp = fingerprint(options)
    todo = []
    for spec in specs:
        if not force and (done := already_scored(spec, out, stamp)) is not None:
            summary.skipped += 1
            summary.add(done)
            hook("skip", done, call_id=spec.call_id)
        else:
            todo.append(spec)
    threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else 0
    if workers > 1 and options.asr.cpu_threads == 0:  # share the cores instead of oversubscribing them
        options = replace(options, asr=replace(options.asr, cpu_threads=threads))
    job = (str(out), options, stamp, rttm, threads)
    if scheduler:
        _run_on_dask(todo, job, scheduler, summary, hook)
    elif workers > 1:
        _run_in_processes(todo, job, workers, summary, hook)
    else:
        for spec in todo:
            hook("start", spec, call_id=spec.call_id)
            document = _score_in_worker(spec, *job)
            summary.add(document)
            hook("done", document, call_id=spec.call_id)
    summary.wall_seconds = time.perf_counter() - started
    write_json(out / "summary.json", summary.as_dict())
    return summary


def _submit_all(executor: Executor, todo: list[CallSpec], job: tuple, hook: Hook):
    """Submit every call; yield (spec, document or None when its worker died) as they finish."""
    futures = {executor.submit(_score_in_worker, spec, *job): spec for spec in todo}
    for spec in todo:
        hook("start", spec, call_id=spec.call_id)
    for future in as_completed(futures):
        try:
            yield futures[future], future.result()
        except QAError:  # models that cannot load fail the whole batch, as in a single process
            raise
        except Exception as error:  # a dead worker (BrokenProcessPool), or a cluster that gave up on the task
            logger.warning("call %s: worker failed: %s", futures[future].call_id, error)
            yield futures[future], None


def _record(spec: CallSpec, document: dict, summary: BatchSummary, hook: Hook) -> None:
    summary.add(document)
    hook("done", document, call_id=spec.call_id)


def _run_in_processes(todo: list[CallSpec], job: tuple, workers: int, summary: BatchSummary, hook: Hook) -> None:
    """Local processes, at most `workers` calls handed to them at a time.

    A worker that dies breaks its pool and every call in flight with it, and nothing says which call
    killed it. So each of those calls is tried once more alone, in a fresh pool: a call that kills
    its worker again is recorded as failed, and the rest of the batch carries on.
    """
    pending = deque((spec, False) for spec in todo)  # (call, whether a worker died scoring it)
    while pending:
        # spawn, not fork: a forked copy of a process that holds model threads can deadlock
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            running: dict[Future, tuple[CallSpec, bool]] = {}
            broken = False
            while (pending or running) and not broken:
                while pending and _may_start(pending[0][1], running, workers):
                    spec, suspect = pending.popleft()
                    hook("start", spec, call_id=spec.call_id)
                    running[pool.submit(_score_in_worker, spec, *job)] = (spec, suspect)
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    spec, suspect = running.pop(future)
                    try:
                        _record(spec, future.result(), summary, hook)
                    except QAError:  # models that cannot load fail the whole batch, as in a single process
                        raise
                    except Exception as error:  # a dead worker (BrokenProcessPool) or an error outside the call
                        logger.warning("call %s: worker failed: %s", spec.call_id, error)
                        broken = broken or isinstance(error, BrokenProcessPool)
                        if suspect:
                            _record(spec, _worker_died(spec, job[0]), summary, hook)
                        else:
                            pending.appendleft((spec, True))
            for spec, _ in running.values():  # in flight when the pool broke, its error not yet seen
                pending.appendleft((spec, True))


def _may_start(suspect: bool, running: dict, workers: int) -> bool:
    """A call whose worker died runs alone; others fill the free workers."""
    if suspect:
        return not running
    return len(running) < workers and not any(s for _, s in running.values())


def _run_on_dask(todo: list[CallSpec], job: tuple, scheduler: str, summary: BatchSummary, hook: Hook) -> None:
    try:
        from distributed import Client
    except ImportError as error:
        raise ConfigError("--scheduler needs Dask distributed", "pip install 'dask[distributed]'") from error
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {error}", "start it with `dask scheduler` and workers with `dask worker ADDRESS`") from error
    with client:
        # Dask retries a task whose worker died once itself
        for spec, document in _submit_all(client.get_executor(retries=1), todo, job, hook):
            _record(spec, document or _worker_died(spec, job[0]), summary, hook)


def _worker_died(spec: CallSpec, out: str) -> dict:
    document = failed_document(spec, WORKER_DIED)
    write_json(call_path(out, spec.call_id), document)
    return document
