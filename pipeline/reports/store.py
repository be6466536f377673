"""The store across nights: one DuckDB file with a row per call, a row per scored criterion of each
call, and a row per run configuration. The per-call JSON documents stay the record: `callqa ingest`
rebuilds the store from them, and a call id written again replaces its rows, never adds to them.

Only the coordinating process writes the store (batch workers hand their results back), and DuckDB
lets one process hold a file for writing at a time, and no reader beside it. So writers hold it briefly
(a run opens it, writes one call and closes it at each call's end) and an open that finds it held
waits a bounded time before it names the process that holds it.

A purged call leaves a tombstone (`purged`): what `add` is handed for a purged call id, or for the same
recording under another id, is refused and counted, so that no ingest or later run brings it back."""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import ConfigError

STORE_ENV = "CALLQA_STORE"

# How long an open waits while another process holds the store. A run holds it for one call's rows
# (well under a second) and a report or export reads for seconds, so a minute outlasts both; what holds
# it longer (a bulk ingest, a run of an older version) is then named instead of waited for.
STORE_BUSY_WAIT_S = 60.0
STORE_RETRY_S = 0.2  # between attempts: short beside the wait, long beside an attempt (a few ms)
COMMAND_SHOWN_CHARS = 120  # of the holding process's command line in the message; enough to tell the run

# calls: column → DuckDB type. The order is the table's, and the export's for calls.
CALL_COLUMNS = {
    "call_id": "VARCHAR PRIMARY KEY", "status": "VARCHAR", "error": "VARCHAR", "sha256": "VARCHAR",
    "recorded_at": "TIMESTAMP", "agent_id": "VARCHAR", "agent_name": "VARCHAR", "queue": "VARCHAR",
    "duration_s": "DOUBLE", "scorecard": "VARCHAR", "scorecard_version": "VARCHAR", "points": "DOUBLE",
    "max_points": "DOUBLE", "total": "DOUBLE", "computed_total": "DOUBLE", "band": "VARCHAR", "auto_failed": "BOOLEAN",
    "auto_failed_by": "VARCHAR", "cues": "INTEGER", "cues_acknowledged": "INTEGER", "cues_missed": "INTEGER",
    "median_ack_latency_s": "DOUBLE", "name_used": "BOOLEAN", "name_near_end": "BOOLEAN", "recap": "BOOLEAN",
    "closing_action": "BOOLEAN", "further_help": "BOOLEAN", "agent_talk_s": "DOUBLE", "customer_talk_s": "DOUBLE",
    "non_talk_s": "DOUBLE", "agent_interruptions": "INTEGER", "customer_interruptions": "INTEGER",
    "agent_wpm": "DOUBLE", "customer_wpm": "DOUBLE", "tone_engagement": "DOUBLE", "tone_calm": "DOUBLE",
    "tone_pace": "DOUBLE", "tone_adaptation": "DOUBLE", "run_id": "VARCHAR", "result_path": "VARCHAR",
}
CRITERION_COLUMNS = {
    "call_id": "VARCHAR", "criterion": "VARCHAR", "section": "VARCHAR", "label": "VARCHAR", "critical": "BOOLEAN",
    "result": "VARCHAR", "points": "DOUBLE", "max": "DOUBLE", "reason": "VARCHAR",
}
RUN_COLUMNS = {"run_id": "VARCHAR PRIMARY KEY", "scorecard": "VARCHAR", "scorecard_version": "VARCHAR",
               "fingerprint": "VARCHAR", "asr_model": "VARCHAR"}  # fingerprint: of the models, options and phrase lists
# every result JSON a call was written from: a call scored into two output folders has two copies,
# and a purge removes both although `calls.result_path` names only the last
RESULT_FILE_COLUMNS = {"call_id": "VARCHAR", "result_path": "VARCHAR", "PRIMARY KEY": "(call_id, result_path)"}  # the last: its key
# the tombstones: calls removed on request, which the store refuses to take back
PURGED_COLUMNS = {"call_id": "VARCHAR PRIMARY KEY", "sha256": "VARCHAR", "purged_at": "TIMESTAMP", "reason": "VARCHAR"}


def store_path(given: str | Path | None) -> Path:
    """The store named by --store, else by CALLQA_STORE; a clear error when neither names one."""
    value = given or os.environ.get(STORE_ENV)
    if not value:
        raise ConfigError("no store given", f"pass --store FILE.duckdb or set {STORE_ENV}")
    return Path(value)


def _create(columns: dict[str, str]) -> str:
    return ", ".join(f"{name} {kind}" for name, kind in columns.items())


def run_id(document: dict[str, Any]) -> str:
    """What produced a result: its fingerprint (models, options, phrase lists) and its scorecard. The same
    configuration gives the same id, so running a night again writes the same rows."""
    score = document.get("score") or {}
    basis = [document.get("fingerprint", ""), score.get("scorecard", ""), str(score.get("version", ""))]
    return hashlib.sha256("|".join(basis).encode()).hexdigest()[:12]


def _timestamp(value: str) -> datetime | None:
    """recorded_at as a timestamp, ISO 8601 only: the manifest reader writes every date that way
    (manifest.parse_recorded_at), so nothing here guesses whether 03/04 is March or April. Anything
    else (a document written before dates were read) is None: kept in the JSON, in no period, and
    counted by `callqa report` as a call with no date. The wall-clock time is kept; an offset dropped."""
    if not value or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=None)
    except ValueError:
        return None


def call_rows(document: dict[str, Any], path: str = "") -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """The store's rows for one result document: its call row, its criterion rows and its run row."""
    score = document.get("score") or {}
    checks = document.get("checks") or {}
    conversation = document.get("conversation") or {}
    tone = (document.get("prosody") or {}).get("agent_tone") or {}
    name = checks.get("name") or {}
    talk, wpm, cuts = conversation.get("talk_time", {}), conversation.get("words_per_minute", {}), conversation.get("interruptions", {})
    identity = run_id(document)
    call = {
        "call_id": document["call_id"], "status": document.get("status"), "error": document.get("error"),
        "sha256": (document.get("audio") or {}).get("sha256"), "recorded_at": _timestamp(document.get("recorded_at") or ""),
        "agent_id": (document.get("agent") or {}).get("id") or "", "agent_name": (document.get("agent") or {}).get("name") or "",
        "queue": document.get("queue") or "", "duration_s": (document.get("audio") or {}).get("duration"),
        "scorecard": score.get("scorecard"), "scorecard_version": None if "version" not in score else str(score["version"]),
        "points": score.get("points"), "max_points": score.get("max"), "total": score.get("total"),
        "computed_total": score.get("computed_total"), "band": score.get("band"),
        "auto_failed": score.get("auto_failed") if score else None, "auto_failed_by": ",".join(score.get("auto_failed_by", [])) or None,
        "cues": checks.get("cues"), "cues_acknowledged": checks.get("cues_acknowledged"),
        "cues_missed": len(checks["cues_missed"]) if "cues_missed" in checks else None,
        "median_ack_latency_s": checks.get("median_ack_latency_s"),
        "name_used": (name.get("uses", 0) > 0) if name.get("customer_name") else None,
        "name_near_end": name.get("near_end") if name.get("customer_name") else None,
        "recap": checks.get("recap"), "closing_action": checks.get("closing_action"), "further_help": checks.get("further_help_offered"),
        "agent_talk_s": talk.get("agent"), "customer_talk_s": talk.get("customer"), "non_talk_s": conversation.get("non_talk_time"),
        "agent_interruptions": cuts.get("agent"),
        "customer_interruptions": cuts.get("customer"), "agent_wpm": wpm.get("agent"), "customer_wpm": wpm.get("customer"),
        **{f"tone_{k}": (tone.get(k) or {}).get("score") for k in ("engagement", "calm", "pace", "adaptation")},
        "run_id": identity, "result_path": path,
    }
    criteria = [{"call_id": document["call_id"], "criterion": c["id"], "section": c.get("section", ""), "label": c.get("label", ""),
                 "critical": bool(c.get("critical")), "result": c["result"], "points": c["points"], "max": c["max"],
                 "reason": c.get("reason", "")} for c in score.get("criteria", [])]
    run = {"run_id": identity, "scorecard": score.get("scorecard"), "scorecard_version": call["scorecard_version"],
           "fingerprint": document.get("fingerprint", ""), "asr_model": (document.get("asr") or {}).get("model", "")}
    return call, criteria, run


def _holder(text: str) -> str:
    """Which process holds the store, from DuckDB's lock message ("… (PID 6181) …"): its id and, where
    /proc tells, its command line ("process 6181 (callqa run /recordings/2026-11-20)")."""
    found = re.search(r"PID (\d+)", text)
    if not found:
        return "another process"
    pid = found.group(1)
    try:
        command = " ".join(Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")).strip()
    except OSError:
        command = ""
    command = " ".join(command.split())
    if len(command) > COMMAND_SHOWN_CHARS:
        command = command[:COMMAND_SHOWN_CHARS - 1] + "…"
    return f"process {pid} ({command})" if command else f"process {pid}"


def _connect(path: Path, read_only: bool, wait_s: float):
    """A DuckDB connection to `path`, tried again while another process holds the file, for `wait_s`."""
    import duckdb

    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            text = str(error)
            if "lock" not in text.lower():
                raise
            if time.monotonic() >= deadline:
                raise ConfigError(f"store {path} is in use by {_holder(text)}; waited {wait_s:g} s",
                                  "wait for it to finish and try again; nothing was changed") from error
            time.sleep(STORE_RETRY_S)


@dataclass
class Store:
    """An open store. Use as a context manager, or call close(). `skipped_as_purged` lists the (call id,
    result path) pairs that `add` refused since the store was opened, because those calls were purged."""

    path: Path
    connection: Any
    skipped_as_purged: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, read_only: bool = False,
             wait_s: float = STORE_BUSY_WAIT_S) -> "Store":
        import duckdb

        path = Path(path)
        if not create and not path.is_file():
            raise ConfigError(f"store {path} not found", "run `callqa run … --store FILE` or `callqa ingest RESULTS --store FILE` first")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            connection = _connect(path, read_only and path.is_file(), wait_s)
        except duckdb.IOException as error:
            raise ConfigError(f"{path} is not a callqa store (not a DuckDB database): {str(error).splitlines()[0]}",
                              "pass --store with a .duckdb file callqa made, or a new file name") from error
        except (duckdb.Error, OSError) as error:
            raise ConfigError(f"cannot open store {path}: {error}", "pass --store with a .duckdb file callqa made, or a new file name") from error
        store = cls(path, connection)
        if not read_only:
            store._ensure_tables()
        return store

    @classmethod
    def ready(cls, path: str | Path) -> Path:
        """Check that `path` is a store this process can write (created with its tables when new), and
        close it again: a run calls this before scoring, then opens the store at each call's end."""
        cls.open(path).close()
        return Path(path)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def _ensure_tables(self) -> None:
        tables = {row[0] for row in self.connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        for table, columns in (("calls", CALL_COLUMNS), ("criteria", CRITERION_COLUMNS), ("runs", RUN_COLUMNS),
                               ("result_files", RESULT_FILE_COLUMNS), ("purged", PURGED_COLUMNS)):
            if table not in tables:
                self.connection.execute(f"CREATE TABLE {table} ({_create(columns)})")
        if "result_files" not in tables:  # a store made before result_files: the paths it knows so far
            self.connection.execute("INSERT INTO result_files SELECT DISTINCT call_id, result_path FROM calls WHERE result_path <> ''")

    def purged_ids(self) -> set[str]:
        """The ids of every purged call."""
        return {row[0] for row in self.connection.execute("SELECT call_id FROM purged").fetchall()}

    def _purged(self, calls: list[dict[str, Any]]) -> set[str]:
        """The call ids among `calls` that were purged: by id, or by the sha256 of their audio."""
        ids, hashes = set(), set()
        for call_id, sha256 in self.connection.execute("SELECT call_id, sha256 FROM purged").fetchall():
            ids.add(call_id)
            hashes.add(sha256)
        hashes.discard(None)
        return {c["call_id"] for c in calls if c["call_id"] in ids or (c["sha256"] and c["sha256"] in hashes)}

    def add(self, documents: Iterable[tuple[dict[str, Any], str]]) -> int:
        """Write (document, path) pairs; a call id already stored is replaced. Returns how many. A purged
        call is not written: its id joins `skipped_as_purged`."""
        import pandas as pd

        calls, criteria, runs = [], [], {}
        for document, path in documents:
            call, rows, run = call_rows(document, path)
            calls.append(call)
            criteria.extend(rows)
            runs[run["run_id"]] = run
        refused = self._purged(calls) if calls else set()
        if refused:
            self.skipped_as_purged.extend((c["call_id"], c["result_path"]) for c in calls if c["call_id"] in refused)
            calls = [c for c in calls if c["call_id"] not in refused]
            criteria = [c for c in criteria if c["call_id"] not in refused]
        if not calls:
            return 0
        frames = {"calls": pd.DataFrame(calls, columns=list(CALL_COLUMNS)),
                  "criteria": pd.DataFrame(criteria, columns=list(CRITERION_COLUMNS)),
                  "runs": pd.DataFrame(list(runs.values()), columns=list(RUN_COLUMNS)),
                  "files": pd.DataFrame([(c["call_id"], c["result_path"]) for c in calls if c["result_path"]],
                                        columns=["call_id", "result_path"], dtype=object)}
        # a call id written twice in one batch: the last one counts, as it would in two batches (its
        # files are all kept, for a purge to find every copy)
        frames["calls"] = frames["calls"].drop_duplicates("call_id", keep="last")
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        try:
            for name, frame in frames.items():
                con.register(f"new_{name}", frame)
            con.execute("DELETE FROM criteria WHERE call_id IN (SELECT call_id FROM new_calls)")
            con.execute("DELETE FROM calls WHERE call_id IN (SELECT call_id FROM new_calls)")
            con.execute("DELETE FROM runs WHERE run_id IN (SELECT run_id FROM new_runs)")
            con.execute(f"INSERT INTO calls SELECT {', '.join(CALL_COLUMNS)} FROM new_calls")
            con.execute("INSERT INTO criteria SELECT DISTINCT ON (call_id, criterion) * FROM new_criteria")
            con.execute("INSERT INTO runs SELECT * FROM new_runs")
            con.execute("INSERT OR IGNORE INTO result_files SELECT DISTINCT call_id, result_path FROM new_files")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            for name in frames:
                con.unregister(f"new_{name}")
        return len(frames["calls"])

    def add_all(self, documents: Iterable[tuple[dict[str, Any], str]], chunk: int = 5000) -> int:
        """`add` in chunks, so that a year of results never sits in memory at once."""
        count, batch = 0, []
        for pair in documents:
            batch.append(pair)
            if len(batch) == chunk:
                count, batch = count + self.add(batch), []
        return count + self.add(batch)

    def purge(self, call_ids: list[str], *, reason: str | None = None) -> list[str]:
        """Remove calls and leave a tombstone for each one found, with the sha256 of its audio where known
        and `reason` (who asked, why); an id the store does not hold leaves none, so that a mistyped id
        never blocks a real call later. Returns every result path the store knows for them, for those
        JSON files to go too."""
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        try:
            paths = [row[0] for row in con.execute(
                """SELECT result_path FROM calls WHERE call_id IN (SELECT unnest($ids)) AND result_path <> ''
                   UNION SELECT result_path FROM result_files WHERE call_id IN (SELECT unnest($ids)) ORDER BY 1""",
                {"ids": call_ids}).fetchall()]
            con.execute("""INSERT OR REPLACE INTO purged
                           SELECT id, (SELECT any_value(sha256) FROM calls WHERE call_id = id), now()::TIMESTAMP, $reason
                           FROM (SELECT DISTINCT call_id AS id FROM calls WHERE call_id IN (SELECT unnest($ids)))""",
                        {"ids": call_ids, "reason": reason})
            for table in ("criteria", "calls", "result_files"):
                con.execute(f"DELETE FROM {table} WHERE call_id IN (SELECT unnest(?))", [call_ids])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return paths

    def stored(self, call_ids: list[str]) -> set[str]:
        """Which of `call_ids` the store holds."""
        return {row[0] for row in self.connection.execute("SELECT call_id FROM calls WHERE call_id IN (SELECT unnest(?))", [call_ids]).fetchall()}

    def query(self, sql: str, parameters: list | None = None):
        """A pandas DataFrame of `sql`."""
        return self.connection.execute(sql, parameters or []).df()

    def result_paths(self, start: date | None, end: date | None) -> list[tuple[str, str]]:
        """(call_id, result path) of the scored calls recorded in [start, end]."""
        where, parameters = period_filter(start, end)
        return self.connection.execute(
            f"SELECT call_id, result_path FROM calls WHERE status = 'scored' AND {where} ORDER BY call_id", parameters).fetchall()


def period_filter(start: date | None, end: date | None, *, agent: str | None = None, queue: str | None = None,
                  table: str = "calls") -> tuple[str, list]:
    """A WHERE clause (and its parameters) for calls recorded from `start` to `end`, both days included."""
    clauses, parameters = ["TRUE"], []
    if start:
        clauses.append(f"{table}.recorded_at >= ?")
        parameters.append(datetime.combine(start, datetime.min.time()))
    if end:
        clauses.append(f"{table}.recorded_at < ? + INTERVAL 1 DAY")
        parameters.append(datetime.combine(end, datetime.min.time()))
    if agent:
        clauses.append(f"{table}.agent_id = ?")
        parameters.append(agent)
    if queue:
        clauses.append(f"{table}.queue = ?")
        parameters.append(queue)
    return " AND ".join(clauses), parameters


def result_copies(result_path: str | Path) -> list[Path]:
    """The files of one call's result that exist: its JSON and, beside its calls/ folder, its RTTM."""
    path = Path(result_path)
    copies = [path]
    if path.parent.name == "calls":
        copies.append(path.parent.parent / "rttm" / f"{path.stem}.rttm")
    return [copy for copy in copies if copy.is_file()]


def result_documents(paths: Iterable[str | Path]) -> Iterator[tuple[dict[str, Any], str]]:
    """(document, path) of every result JSON under `paths` (folders, their calls/ folders, or files)."""
    for given in paths:
        given = Path(given)
        if given.is_dir():
            folder = given / "calls" if (given / "calls").is_dir() else given
            try:  # listed by hand: a glob would pass over a folder it may not read as if it were empty
                files = sorted(folder / name for name in os.listdir(folder) if name.endswith(".json") and not name.startswith("."))
            except OSError as error:
                raise ConfigError(f"cannot read results folder {folder}: {error.strerror or error}", "check its permissions") from error
        elif given.is_file():
            files = [given]
        else:
            raise ConfigError(f"{given}: no results folder or file there", "pass the --out folder of `callqa run` or its calls/ folder")
        for file in files:
            try:
                with open(file, encoding="utf-8") as handle:
                    document = json.load(handle)
            except PermissionError as error:
                raise ConfigError(f"cannot read result {file}: permission denied", "check its permissions") from error
            except (OSError, ValueError) as error:
                raise ConfigError(f"{file}: not a result document: {error}", "remove it from the folder or run the call again") from error
            if isinstance(document, dict) and "call_id" in document and "status" in document:
                yield document, str(file.resolve())
