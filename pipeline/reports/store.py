"""The store across nights: one DuckDB file with a row per call, a row per scored criterion of each
call, and a row per run configuration. The per-call JSON documents stay the record: `callqa ingest`
rebuilds the store from them, and a call id written again replaces its rows, never adds to them.

Only the coordinating process writes the store (batch workers hand their results back), and DuckDB
lets one process write a file at a time."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import ConfigError

STORE_ENV = "CALLQA_STORE"

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
    """recorded_at as a timestamp: ISO 8601 (fast), else whatever pandas can read ("20/11/2026 9:15");
    None for what neither reads, which is kept in the JSON but falls in no period."""
    if not value or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        import pandas as pd

        parsed = pd.to_datetime(value, errors="coerce", dayfirst=True)
        return None if pd.isna(parsed) else parsed.to_pydatetime().replace(tzinfo=None)


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


@dataclass
class Store:
    """An open store. Use as a context manager, or call close()."""

    path: Path
    connection: Any

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, read_only: bool = False) -> "Store":
        import duckdb

        path = Path(path)
        if not create and not path.is_file():
            raise ConfigError(f"store {path} not found", "run `callqa run … --store FILE` or `callqa ingest RESULTS --store FILE` first")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            connection = duckdb.connect(str(path), read_only=read_only and path.is_file())
        except duckdb.IOException as error:
            text = str(error)
            if "lock" in text.lower():
                raise ConfigError(f"store {path} is in use by another process", "wait for the other `callqa` to finish") from error
            raise ConfigError(f"{path} is not a callqa store (not a DuckDB database): {text.splitlines()[0]}",
                              "pass --store with a .duckdb file callqa made, or a new file name") from error
        except (duckdb.Error, OSError) as error:
            raise ConfigError(f"cannot open store {path}: {error}", "pass --store with a .duckdb file callqa made, or a new file name") from error
        store = cls(path, connection)
        if not read_only:
            store._ensure_tables()
        return store

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def _ensure_tables(self) -> None:
        for table, columns in (("calls", CALL_COLUMNS), ("criteria", CRITERION_COLUMNS), ("runs", RUN_COLUMNS)):
            self.connection.execute(f"CREATE TABLE IF NOT EXISTS {table} ({_create(columns)})")

    def add(self, documents: Iterable[tuple[dict[str, Any], str]]) -> int:
        """Write (document, path) pairs; a call id already stored is replaced. Returns how many."""
        import pandas as pd

        calls, criteria, runs = [], [], {}
        for document, path in documents:
            call, rows, run = call_rows(document, path)
            calls.append(call)
            criteria.extend(rows)
            runs[run["run_id"]] = run
        if not calls:
            return 0
        frames = {"calls": pd.DataFrame(calls, columns=list(CALL_COLUMNS)),
                  "criteria": pd.DataFrame(criteria, columns=list(CRITERION_COLUMNS)),
                  "runs": pd.DataFrame(list(runs.values()), columns=list(RUN_COLUMNS))}
        # a call id written twice in one batch: the last one counts, as it would in two batches
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

    def purge(self, call_ids: list[str]) -> list[str]:
        """Remove calls; returns the result paths of those found (for their JSON to be removed too)."""
        found = self.connection.execute("SELECT call_id, result_path FROM calls WHERE call_id IN (SELECT unnest(?))", [call_ids]).fetchall()
        self.connection.execute("DELETE FROM criteria WHERE call_id IN (SELECT unnest(?))", [call_ids])
        self.connection.execute("DELETE FROM calls WHERE call_id IN (SELECT unnest(?))", [call_ids])
        return [path for _, path in found]

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
