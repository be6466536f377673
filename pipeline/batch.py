"""A batch of calls: in parallel processes or on a Dask cluster, resumable, with a result or a
recorded failure for every call."""
from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import tempfile
import time
from collections import deque
from contextlib import nullcontext
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

from .behaviours.judge import JUDGES
from .behaviours.lexicon import LEXICONS
from .behaviours.sentences import TRAINING
from .bundle import ModelBundle
from .config import PipelineOptions
from .errors import ConfigError, QAError
from .models import CallSpec
from .reports.scorecard import Scorecard, load_scorecard
from .reports.store import Store
from .results import call_path, failed_document, read_json, write_json
from .run import Hook, analyse_and_save
from .speech.audio import file_sha256

logger = logging.getLogger("callqa")

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


def fingerprint(options: PipelineOptions, *, redact: bool = False) -> str:
    """What a result depends on besides its audio: the options (models included), the phrase lists,
    training sentences and judges, and whether personal data is masked in it. A re-run skips a call whose
    stored fingerprint and audio hash match."""
    digest = hashlib.sha256(json.dumps({**asdict(options), "redact": redact}, sort_keys=True, default=str).encode())
    for path in sorted(LEXICONS.glob("*.yaml")) + sorted(TRAINING.glob("*.yaml")) + sorted(JUDGES.glob("*.json")):
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


@dataclass(frozen=True)
class BatchJob:
    """What every call of a batch shares: where results go, the options, their fingerprint, the
    scorecard, whether to write RTTM files, and the threads each worker process may use (0: leave as is)."""

    out: str
    options: PipelineOptions
    fingerprint: str
    scorecard: Scorecard
    rttm: bool = False
    threads: int = 0
    redact: bool = False

    def load_models(self) -> ModelBundle:
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        return ModelBundle.load(self.options)

    def run(self, spec: CallSpec, models: ModelBundle, hook: Hook | None = None) -> dict:
        """Analyse one call into OUT/calls and return what the summary counts (the document is on disk)."""
        document = analyse_and_save(spec, models, self.out, scorecard=self.scorecard, fingerprint=self.fingerprint, hook=hook,
                                    redact=self.redact,
                                    rttm_dir=Path(self.out) / "rttm" if self.rttm else None)
        return {"call_id": document["call_id"], "status": document["status"], "error": document.get("error", ""),
                "audio": {"duration": document.get("audio", {}).get("duration", 0.0)}}


# A worker process's models, loaded by the pool's initializer once per process for every call it is
# handed; or why they could not load, which each call then reports (as a run in one process would).
_worker_models: ModelBundle | QAError | None = None


def _start_worker(job: BatchJob) -> None:
    global _worker_models
    try:
        _worker_models = job.load_models()
    except QAError as error:
        _worker_models = error


def _run_in_worker(spec: CallSpec, job: BatchJob) -> dict:
    if isinstance(_worker_models, QAError):
        raise _worker_models
    return job.run(spec, _worker_models)


class _ModelsOnDaskWorker(WorkerPlugin):
    """A Dask worker plugin that holds the worker's models for every task of the batch. They load
    with the first task, so that a model that cannot load fails that task with its own message."""

    name = "callqa-models"

    def __init__(self, job: BatchJob):
        self.job = job
        self.models: ModelBundle | None = None

    def models_for(self) -> ModelBundle:
        if self.models is None:
            self.models = self.job.load_models()
        return self.models


def _run_on_dask_worker(spec: CallSpec, job: BatchJob) -> dict:
    from distributed import get_worker

    return job.run(spec, get_worker().plugins[_ModelsOnDaskWorker.name].models_for())


def run_batch(specs: list[CallSpec], out: str | Path, options: PipelineOptions | dict | None = None, *,
              hook: Hook | None = None, rttm: bool = False, workers: int = 1, scheduler: str | None = None,
              force: bool = False, models: ModelBundle | None = None, scorecard: Scorecard | None = None,
              store: str | Path | None = None, redact: bool = False) -> BatchSummary:
    """Score every call of `specs` into `out/calls/` and write `out/summary.json`; with `store`, write
    each call into that DuckDB store too (this process alone writes it).

    Calls already scored from the same audio with the same fingerprint are skipped unless `force`.
    `workers` > 1 runs processes on this machine; `scheduler` (a Dask scheduler address) runs the
    same work on a cluster whose workers see the same paths. A worker that dies is retried once.
    `models`, already loaded, serves a batch run in this process (its options are the batch's).
    `scorecard` defaults to scorecards/default.yaml; `redact` masks personal data in the documents.
    """
    started = time.perf_counter()
    options = models.options if models is not None else PipelineOptions.of(options)
    scorecard = scorecard or load_scorecard()
    out = Path(out)
    _prepare_output(out, rttm)
    with Store.open(store) if store else nullcontext() as opened:
        results = _Results(out, BatchSummary(), hook or (lambda *args, **kwargs: None), opened)
        stamp = fingerprint(options, redact=redact)
        todo = []
        for spec in specs:
            if not force and (done := already_scored(spec, out, stamp)) is not None:
                results.record(spec, done, skipped=True)
            else:
                todo.append(spec)
        threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else 0
        if workers > 1 and options.asr.cpu_threads == 0:  # share the cores instead of oversubscribing them
            options = replace(options, asr=replace(options.asr, cpu_threads=threads))
        job = BatchJob(str(out), options, stamp, scorecard, rttm, threads, redact)
        if scheduler:
            _run_on_dask(todo, job, scheduler, results)
        elif workers > 1:
            _run_in_processes(todo, job, workers, results)
        elif todo:
            models = models or job.load_models()
            for spec in todo:
                results.hook("start", spec, call_id=spec.call_id)
                results.record(spec, job.run(spec, models, results.hook))
    summary = results.summary
    summary.wall_seconds = time.perf_counter() - started
    write_json(out / "summary.json", summary.as_dict())
    return summary


@dataclass
class _Results:
    """Where each finished call goes: the summary, the caller's hook, and the store when there is one."""

    out: Path
    summary: BatchSummary
    hook: Hook
    store: Store | None

    def record(self, spec: CallSpec, document: dict, *, skipped: bool = False) -> None:
        self.summary.skipped += skipped
        self.summary.add(document)
        if self.store is not None:  # the whole document, from disk: workers hand back only a summary
            path = call_path(self.out, spec.call_id)
            self.store.add([(read_json(path), str(path.resolve()))])
        self.hook("skip" if skipped else "done", document, call_id=spec.call_id)


def _prepare_output(out: Path, rttm: bool) -> None:
    """Make the output folders, or say plainly why they cannot be written."""
    try:
        (out / "calls").mkdir(parents=True, exist_ok=True)
        if rttm:
            (out / "rttm").mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out / "calls", prefix=".probe.", suffix=".tmp")
        probe.close()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(f"cannot write results to {out}: {reason}",
                          "pass --out with a folder you may write to (it is created when missing)") from error
    remove_partial_files(out)


def _submit_all(executor: Executor, todo: list[CallSpec], job: BatchJob, hook: Hook):
    """Submit every call; yield (spec, document or None when its worker died) as they finish."""
    futures = {executor.submit(_run_on_dask_worker, spec, job): spec for spec in todo}
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


def _run_in_processes(todo: list[CallSpec], job: BatchJob, workers: int, results: _Results) -> None:
    """Local processes, at most `workers` calls handed to them at a time.

    A worker that dies breaks its pool and every call in flight with it, and nothing says which call
    killed it. So each of those calls is tried once more alone, in a fresh pool: a call that kills
    its worker again is recorded as failed, and the rest of the batch carries on.
    """
    pending = deque((spec, False) for spec in todo)  # (call, whether a worker died scoring it)
    while pending:
        # spawn, not fork: a forked copy of a process that holds model threads can deadlock
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_start_worker, initargs=(job,)) as pool:
            running: dict[Future, tuple[CallSpec, bool]] = {}
            broken = False
            while (pending or running) and not broken:
                while pending and _may_start(pending[0][1], running, workers):
                    spec, suspect = pending.popleft()
                    results.hook("start", spec, call_id=spec.call_id)
                    running[pool.submit(_run_in_worker, spec, job)] = (spec, suspect)
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    spec, suspect = running.pop(future)
                    try:
                        results.record(spec, future.result())
                    except QAError:  # models that cannot load fail the whole batch, as in a single process
                        raise
                    except Exception as error:  # a dead worker (BrokenProcessPool) or an error outside the call
                        logger.warning("call %s: worker failed: %s", spec.call_id, error)
                        broken = broken or isinstance(error, BrokenProcessPool)
                        if suspect:
                            results.record(spec, _worker_died(spec, job.out))
                        else:
                            pending.appendleft((spec, True))
            for spec, _ in running.values():  # in flight when the pool broke, its error not yet seen
                pending.appendleft((spec, True))


def _may_start(suspect: bool, running: dict, workers: int) -> bool:
    """A call whose worker died runs alone; others fill the free workers."""
    if suspect:
        return not running
    return len(running) < workers and not any(s for _, s in running.values())


def _run_on_dask(todo: list[CallSpec], job: BatchJob, scheduler: str, results: _Results) -> None:
    from distributed import Client

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {error}", "start it with `dask scheduler` and workers with `dask worker ADDRESS`") from error
    with client:
        client.register_plugin(_ModelsOnDaskWorker(job))
        # Dask retries a task whose worker died once itself
        for spec, document in _submit_all(client.get_executor(retries=1), todo, job, results.hook):
            results.record(spec, document or _worker_died(spec, job.out))


def _worker_died(spec: CallSpec, out: str) -> dict:
    document = failed_document(spec, WORKER_DIED)
    write_json(call_path(out, spec.call_id), document)
    return document
