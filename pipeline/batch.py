"""A batch of calls: in parallel processes or on a Dask cluster, resumable, with a result or a
recorded failure for every call."""
from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import signal
import tempfile
import time
from collections import Counter, deque
from contextlib import contextmanager, nullcontext
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
from .reports.score import score_call
from .reports.scorecard import Scorecard, load_scorecard
from .reports.store import Store, result_copies
from .results import call_path, failed_document, manifest_fields, read_json, score_document, write_json
from .run import Hook, analyse_and_save, rerun_text_stages
from .speech.audio import file_sha256

logger = logging.getLogger("callqa")

WORKER_DIED = "the worker scoring this call died twice (out of memory, or killed); the call was not scored"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class BatchInterrupted(Exception):
    """SIGINT or SIGTERM reached the coordinator: the batch stops, keeping what is done."""

    def __init__(self, signal_name: str):
        super().__init__(signal_name)
        self.signal_name = signal_name


@contextmanager
def _stopped_by_signals():
    """Within, SIGINT and SIGTERM raise BatchInterrupted in the coordinator (the main thread), so that
    the batch ends its workers and writes its summary instead of dying mid-call with no word."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number, _frame):
        raise BatchInterrupted(signal.Signals(number).name)

    before = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


@dataclass
class BatchSummary:
    """What a batch did. `scored` and `audio_seconds` count only the calls scored in this run, so the
    real-time factor is over audio this run decoded; calls skipped as already scored count apart.
    `interrupted` names the signal that stopped the run before every call was done (the calls not
    done then have no new document: the next run scores them)."""

    scored: int = 0
    failed: int = 0
    skipped: int = 0
    updated: int = 0  # already scored, with people fields a corrected manifest changed: updated, not decoded again
    no_recorded_at: int = 0  # calls of the batch not failed that have no date: in no report or export period
    purged: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)
    interrupted: str | None = None
    not_done: int = 0

    @property
    def real_time_factor(self) -> float | None:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else None

    def add(self, document: dict, *, skipped: bool = False, updated: bool = False) -> None:
        if updated:
            self.updated += 1
        elif skipped:
            self.skipped += 1
        elif document["status"] == "scored":
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
            "updated": self.updated,
            "no_recorded_at": self.no_recorded_at,
            "purged_not_stored": self.purged,
            "audio_hours": round(self.audio_seconds / 3600, 4),
            "wall_seconds": round(self.wall_seconds, 2),
            "real_time_factor": None if self.real_time_factor is None else round(self.real_time_factor, 4),
            "failures": self.failures,
            "interrupted": self.interrupted,
            "not_done": self.not_done,
        }


def fingerprint(options: PipelineOptions, *, redact: bool = False) -> str:
    """What a result depends on besides its audio: the options (models included), the phrase lists,
    training sentences and judges, the hot words' vocabulary, and whether personal data is masked in it. A re-run skips a call whose
    stored fingerprint and audio hash match."""
    digest = hashlib.sha256(json.dumps({**asdict(options), "redact": redact}, sort_keys=True, default=str).encode())
    vocabulary = [Path(options.asr.vocabulary)] if options.asr.vocabulary else []  # its terms change what is heard
    for path in sorted(LEXICONS.glob("*.yaml")) + sorted(TRAINING.glob("*.yaml")) + sorted(JUDGES.glob("*.json")) + vocabulary:
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


# The manifest's fields about a call, not part of what makes it already scored: a corrected manifest
# updates them in the stored result, and the audio is not decoded again.
PEOPLE_FIELDS = ("agent_id", "agent_name", "customer_name", "recorded_at", "queue")
# Name use reads these (the customer's name, and the agent's so as not to take it for the customer's):
# when one changes, the behaviour stages run again over the stored turns.
NAME_FIELDS = ("agent_name", "customer_name")


def changed_people(spec: CallSpec, document: dict) -> list[str]:
    """The people fields of `spec` that differ from its stored result. With --redact the stored
    customer name is a placeholder, so a change of it cannot be seen (--force scores such calls again)."""
    stored = {"agent_id": (document.get("agent") or {}).get("id", ""), "agent_name": (document.get("agent") or {}).get("name", ""),
              "customer_name": (document.get("customer") or {}).get("name", ""),
              "recorded_at": document.get("recorded_at") or "", "queue": document.get("queue") or ""}
    masked = "redactions" in document
    return [name for name in PEOPLE_FIELDS if getattr(spec, name) != stored[name] and not (masked and name == "customer_name")]


def update_people(spec: CallSpec, document: dict, changed: list[str], out: Path, scorecard: Scorecard,
                  models: ModelBundle) -> dict | None:
    """The stored result of `spec` with its `changed` people fields updated and written back; the
    behaviours and score run again when a name changed. None when that needs the audio decoded again:
    a name changed in a result whose turns are masked (--redact)."""
    names_changed = any(name in NAME_FIELDS for name in changed)
    if names_changed and "redactions" in document:
        return None
    if names_changed:
        updated = rerun_text_stages(document, spec, models, scorecard=scorecard)
    else:
        updated = {**document, **manifest_fields(spec)}
        if "score" in updated:
            updated["score"] = score_document(score_call(updated, scorecard))
    logger.info("call %s: %s updated from the manifest, not scored again", spec.call_id, ", ".join(changed))
    write_json(call_path(out, spec.call_id), updated)
    return updated


def _text_models(options: PipelineOptions) -> ModelBundle:
    """The models the behaviour stages read (options, and the sentence models, loaded on first use):
    no Whisper and no arousal model, since updated calls keep their stored turns and prosody."""
    return ModelBundle(options, transcriber=None, arousal=None)


def remove_partial_files(out: Path) -> None:
    """Temporary files that a killed run left behind (results are renamed into place whole)."""
    for stale in (out / "calls").glob(".*.tmp") if (out / "calls").is_dir() else ():
        stale.unlink(missing_ok=True)


def threads_per_worker(workers_on_machine: int) -> int:
    """The threads each of `workers_on_machine` processes decodes with: the cores shared out."""
    return max(1, (os.cpu_count() or 1) // max(1, workers_on_machine))


def pin_threads(threads: int) -> None:
    """Every library of the models computes with `threads` threads, whatever the process inherited: a
    Dask worker starts with OMP_NUM_THREADS=1 where a plain process uses every core, and on some CPUs
    (MKL's paths on AMD) the thread count moves the decoded words. The variables reach the libraries
    that read them when they first run; PyTorch is told directly."""
    import torch

    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = str(threads)
    torch.set_num_threads(threads)


def load_models(options: PipelineOptions, threads: int) -> ModelBundle:
    """The models computing with `threads` threads, ASR's too unless the options fix its own."""
    pin_threads(threads)
    if options.asr.cpu_threads == 0:
        options = replace(options, asr=replace(options.asr, cpu_threads=threads))
    return ModelBundle.load(options)


@dataclass(frozen=True)
class BatchJob:
    """What every call of a batch shares: where results go, the options, their fingerprint, the
    scorecard, whether to write RTTM files, and the threads each worker process decodes with (0: the
    cores of the worker's machine shared among the workers there, resolved on the worker)."""

    out: str
    options: PipelineOptions
    fingerprint: str
    scorecard: Scorecard
    rttm: bool = False
    threads: int = 0
    redact: bool = False

    def load_models(self, threads: int = 0) -> ModelBundle:
        """The models, decoding with the job's threads (or `threads`), unless the options fix ASR's."""
        return load_models(self.options, threads or self.threads or threads_per_worker(1))

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


def _start_worker(job: BatchJob, coordinator: int) -> None:
    global _worker_models
    # The coordinator alone answers Ctrl-C and SIGTERM (it ends the pool); a worker outlives no coordinator.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(coordinator)
    try:
        _worker_models = job.load_models()
    except QAError as error:
        _worker_models = error


PARENT_CHECK_S = 0.5  # how often a worker looks whether its coordinator is still alive


def _die_with(coordinator: int) -> None:
    """End this worker process as soon as the coordinator that started it is gone (killed, even with
    SIGKILL, which no handler sees): a watchdog thread that notices the worker has been re-parented.
    The coordinator's pid comes from the coordinator, as it may be gone before this runs."""
    import threading

    def watch() -> None:
        while os.getppid() == coordinator:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="callqa-parent-watchdog", daemon=True).start()


def _run_in_worker(spec: CallSpec, job: BatchJob) -> dict:
    if isinstance(_worker_models, QAError):
        raise _worker_models
    return job.run(spec, _worker_models)


class _ModelsOnDaskWorker(WorkerPlugin):
    """A Dask worker plugin that holds the worker's models for every task of the batch. They load
    with the first task, so that a model that cannot load fails that task with its own message."""

    name = "callqa-models"

    def __init__(self, job: BatchJob, workers_by_host: dict[str, int]):
        self.job = job
        self.workers_by_host = workers_by_host  # host → worker processes there when the batch started
        self.models: ModelBundle | None = None

    def models_for(self, host: str) -> ModelBundle:
        """The worker's models, decoding with as many threads as a local run on its machine would
        give each of the workers there, so that one machine gives the same documents both ways."""
        if self.models is None:
            self.models = self.job.load_models(threads_per_worker(self.workers_by_host.get(host, 1)))
        return self.models


def _run_on_dask_worker(spec: CallSpec, job: BatchJob) -> dict:
    from distributed import get_worker
    from distributed.comm import get_address_host

    worker = get_worker()
    return job.run(spec, worker.plugins[_ModelsOnDaskWorker.name].models_for(get_address_host(worker.address)))


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
    with nullcontext(Store.ready(store) if store else None) as opened:  # checked now, written at each call's end
        results = _Results(out, BatchSummary(), hook or (lambda *args, **kwargs: None), opened)
        stamp = fingerprint(options, redact=redact)
        todo = []
        purged = _purged_ids(opened)
        text_models = models or _text_models(options)
        for spec in specs:
            if spec.call_id in purged:  # never scored again: the store would refuse it, and its files are gone
                logger.warning("call %s was purged from the store %s: not scored again", spec.call_id, opened)
                results.summary.purged += 1
            elif not force and (done := already_scored(spec, out, stamp)) is not None:
                if not (changed := changed_people(spec, done)):
                    results.record(spec, done, skipped=True)
                elif (updated := update_people(spec, done, changed, out, scorecard, text_models)) is not None:
                    results.record(spec, updated, updated=True)
                else:
                    todo.append(spec)
            else:
                todo.append(spec)
        # every way of running decodes with the cores shared out among the workers of one machine
        job = BatchJob(str(out), options, stamp, scorecard, rttm, 0 if scheduler else threads_per_worker(workers), redact)
        try:
            with _stopped_by_signals():
                _run(todo, job, workers, scheduler, models, results)
        except BatchInterrupted as stop:  # whole results stay; what was not done is the next run's
            so_far = results.summary
            so_far.interrupted = stop.signal_name
            so_far.not_done = len(specs) - so_far.scored - so_far.failed - so_far.skipped - so_far.updated - so_far.purged
    summary = results.summary
    summary.no_recorded_at = sum(1 for s in specs if not s.recorded_at and s.call_id not in summary.failures and s.call_id not in purged)
    summary.wall_seconds = time.perf_counter() - started
    write_json(out / "summary.json", summary.as_dict())
    return summary


def _purged_ids(store: Path | None) -> set[str]:
    if store is None:
        return set()
    with Store.open(store, read_only=True) as opened:
        return opened.purged_ids()


def _run(todo: list[CallSpec], job: BatchJob, workers: int, scheduler: str | None, models: ModelBundle | None,
         results: "_Results") -> None:
    """The calls to score, on a cluster, in worker processes, or in this process."""
    if scheduler:
        _run_on_dask(todo, job, scheduler, results)
    elif workers > 1:
        _run_in_processes(todo, job, workers, results)
    elif todo:
        models = models or job.load_models()
        for spec in todo:
            results.hook("start", spec, call_id=spec.call_id)
            results.record(spec, job.run(spec, models, results.hook))


@dataclass
class _Results:
    """Where each finished call goes: the summary, the caller's hook, and the store when there is one.

    The store is opened at each call's end for that call's rows alone, so that a report, an export or a
    review can read it during the run, and another run can write between two of this one's calls."""

    out: Path
    summary: BatchSummary
    hook: Hook
    store: Path | None

    def record(self, spec: CallSpec, document: dict, *, skipped: bool = False, updated: bool = False) -> None:
        if self.store is not None and self._store(spec) == "purged":
            self.summary.purged += 1
            self.hook("skip", document, call_id=spec.call_id)
            return
        self.summary.add(document, skipped=skipped, updated=updated)
        self.hook("skip" if skipped else "done", document, call_id=spec.call_id)

    def _store(self, spec: CallSpec) -> str:
        """Write the call's whole document (from disk: workers hand back only a summary) into the store:
        "stored"; "purged" when the store refuses it as purged, its files then removed; "not stored"
        when the store stayed busy, the JSON then kept for `callqa ingest`."""
        path = call_path(self.out, spec.call_id)
        try:
            with Store.open(self.store) as opened:
                opened.add([(read_json(path), str(path.resolve()))])
                purged = bool(opened.skipped_as_purged)
        except ConfigError as error:
            logger.warning("call %s: not written into the store: %s; `callqa ingest %s --store %s` adds it later",
                           spec.call_id, error, self.out, self.store)
            return "not stored"
        if not purged:
            return "stored"
        for copy in result_copies(path):
            copy.unlink(missing_ok=True)
        logger.warning("call %s was purged from the store %s: it is not stored again and its result was deleted",
                       spec.call_id, self.store)
        return "purged"


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
                                 initializer=_start_worker, initargs=(job, os.getpid())) as pool, _ended_on_interrupt(pool):
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


@contextmanager
def _ended_on_interrupt(pool: ProcessPoolExecutor):
    """On an interrupt, the pool's workers are ended at once, their calls in flight left undone (a
    result is renamed into place whole, so none is half written), instead of waiting for them."""
    try:
        yield
    except BatchInterrupted:
        for process in list(getattr(pool, "_processes", {}).values()):  # the executor keeps no public list
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise


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
        from distributed.comm import get_address_host

        workers_by_host = Counter(get_address_host(address) for address in client.scheduler_info()["workers"])
        client.register_plugin(_ModelsOnDaskWorker(job, dict(workers_by_host)))
        # Dask retries a task whose worker died once itself
        for spec, document in _submit_all(client.get_executor(retries=1), todo, job, results.hook):
            results.record(spec, document or _worker_died(spec, job.out))


def _worker_died(spec: CallSpec, out: str) -> dict:
    document = failed_document(spec, WORKER_DIED)
    write_json(call_path(out, spec.call_id), document)
    return document
