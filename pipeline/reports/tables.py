"""The tables a manager or a coach opens, read from the store: per agent, per call and per criterion,
over a period. Every figure is an SQL aggregate over the calls table, so a month of a million calls
is read in DuckDB, not in Python."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ..errors import EmptyPeriodError, QAError
from .store import Store, period_filter

# Per-call columns of the export, in order; "one column per criterion" (its points) follows them.
CALL_EXPORT_COLUMNS = [
    "call_id", "recorded_at", "agent_id", "agent_name", "queue", "duration_s", "scorecard", "scorecard_version",
    "points", "max_points", "total", "band", "auto_failed", "auto_failed_by", "cues", "cues_acknowledged",
    "cues_missed", "median_ack_latency_s", "agent_talk_s", "customer_talk_s", "non_talk_s", "agent_interruptions",
    "customer_interruptions", "agent_wpm", "customer_wpm", "run_id",
]
RATES = {"name_rate": "name_used", "recap_rate": "recap", "closing_rate": "closing_action"}
# The agent a call is reported under: its id; a call whose manifest row gave no id is grouped by the
# agent's name, or as the unknown agent, so that two agents without ids are never merged into one row.
NO_AGENT_ID = "(no agent id)"
WITHOUT_AGENT_ID = "coalesce(trim(calls.agent_id), '') = ''"
AGENT = (f"CASE WHEN NOT {WITHOUT_AGENT_ID} THEN calls.agent_id "
         f"WHEN coalesce(trim(calls.agent_name), '') <> '' THEN trim(calls.agent_name) || ' {NO_AGENT_ID}' "
         f"ELSE 'unknown agent {NO_AGENT_ID}' END")
TONES = ["tone_engagement", "tone_calm", "tone_pace", "tone_adaptation"]


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length that ends the day before this one starts."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def resolve_period(store: Store, start: date | None, end: date | None) -> Period:
    """The period asked for; an open end is the store's first or last recorded day."""
    first, last = store.connection.execute(
        "SELECT min(recorded_at)::DATE, max(recorded_at)::DATE FROM calls WHERE status = 'scored'").fetchone()
    if first is None and (start is None or end is None):
        raise EmptyPeriodError(f"store {store.path} holds no scored calls with a recording date",
                          "run `callqa run` with a manifest that gives recorded_at, or `callqa ingest` results")
    return Period(start or first, end or last)


def _scored(period: Period, agent: str | None, queue: str | None) -> tuple[str, list]:
    where, parameters = period_filter(period.start, period.end, agent=agent, queue=queue)
    return f"status = 'scored' AND {where}", parameters


def agent_table(store: Store, period: Period, *, agent: str | None = None, queue: str | None = None) -> pd.DataFrame:
    """One row per agent: calls (and how many had no total: the agent said nothing), mean and spread of
    the total, the most common band, auto-fails, pass rate per criterion and the weakest criterion,
    acknowledgement latency, missed-cue rate, name, recap and closing rates, tone scores, and the change
    of the mean total against the previous period. Calls without a total are in no mean."""
    where, parameters = _scored(period, agent, queue)
    rates = ", ".join(f"round(avg({column}::INTEGER), 3) AS {name}" for name, column in RATES.items())
    tones = ", ".join(f"round(avg({column}), 1) AS {column}" for column in TONES)
    table = store.query(f"""
        SELECT {AGENT} AS agent, any_value(agent_id) AS agent_id, any_value(agent_name) AS agent_name, count(*) AS calls,
               count(*) FILTER (WHERE total IS NULL) AS calls_without_total,
               round(avg(total), 1) AS mean_total, round(stddev_samp(total), 1) AS sd_total,
               sum(auto_failed::INTEGER)::INTEGER AS auto_fails,
               round(median(median_ack_latency_s), 2) AS median_ack_latency_s,
               round(sum(cues_missed) / nullif(sum(cues), 0), 3) AS missed_cue_rate, {rates}, {tones}
        FROM calls WHERE {where} GROUP BY agent ORDER BY agent""", parameters)
    if table.empty:
        raise EmptyPeriodError(f"no scored calls from {period}" + (f" for agent {agent}" if agent else "") + (f" in queue {queue}" if queue else ""),
                          "choose another period with --from and --to")
    table.insert(table.columns.get_loc("sd_total") + 1, "band", table["agent"].map(_most_common_bands(store, where, parameters)))
    previous_where, previous_parameters = _scored(period.previous(), agent, queue)
    before = store.query(f"SELECT {AGENT} AS agent, round(avg(total), 1) AS previous_mean_total FROM calls WHERE {previous_where} GROUP BY agent",
                         previous_parameters)
    table = table.merge(before, on="agent", how="left")
    table["change_vs_previous"] = (table["mean_total"] - table["previous_mean_total"]).round(1)
    passes = criterion_pass_rates(store, period, agent=agent, queue=queue, by_agent=True)
    if not passes.empty:
        wide = passes.pivot(index="agent", columns="criterion", values="pass_rate")
        # the criterion passed least often; none where every criterion always passed
        weakest = wide.idxmin(axis=1, skipna=True).where(wide.min(axis=1) < 1).rename("weakest_criterion")
        wide.columns = [f"pass_rate_{c}" for c in wide.columns]
        table = table.merge(wide, left_on="agent", right_index=True, how="left").merge(weakest, left_on="agent", right_index=True, how="left")
    return table


def _most_common_bands(store: Store, where: str, parameters: list) -> dict[str, str]:
    """Each agent's most common band among calls with a total; on a tie, the band of the lower totals
    (the one that asks for coaching), so that the answer does not depend on the order of the rows."""
    rows = store.query(f"""
        SELECT agent, band FROM (
            SELECT {AGENT} AS agent, band, count(*) AS n, avg(total) AS mean FROM calls
            WHERE {where} AND total IS NOT NULL GROUP BY agent, band)
        QUALIFY row_number() OVER (PARTITION BY agent ORDER BY n DESC, mean ASC, band) = 1""", parameters)
    return dict(zip(rows["agent"], rows["band"]))


def calls_without_agent_id(store: Store, period: Period, *, queue: str | None = None) -> int:
    """How many scored calls of the period are reported by the agent's name (or as unknown) for want of an id."""
    where, parameters = _scored(period, None, queue)
    return store.connection.execute(f"SELECT count(*) FROM calls WHERE {where} AND {WITHOUT_AGENT_ID}",
                                    parameters).fetchone()[0]


def criterion_pass_rates(store: Store, period: Period, *, agent: str | None = None, queue: str | None = None,
                         by_agent: bool = False) -> pd.DataFrame:
    """Per criterion (and per agent), how often it was passed where it applied."""
    where, parameters = _scored(period, agent, queue)
    keys = "agent, criteria.criterion" if by_agent else "criteria.criterion"
    return store.query(f"""
        SELECT {AGENT + ' AS agent, ' if by_agent else ''}criteria.criterion, any_value(criteria.section) AS section, any_value(criteria.label) AS label,
               count(*) FILTER (WHERE result <> 'na') AS applicable,
               count(*) FILTER (WHERE result = 'pass') AS passed, count(*) FILTER (WHERE result = 'partial') AS partial,
               count(*) FILTER (WHERE result = 'fail') AS failed, count(*) FILTER (WHERE result = 'na') AS not_applicable,
               round(count(*) FILTER (WHERE result = 'pass') / nullif(count(*) FILTER (WHERE result <> 'na'), 0), 3) AS pass_rate,
               round(sum(criteria.points) / nullif(sum(criteria.max), 0), 3) AS points_share
        FROM criteria JOIN calls USING (call_id) WHERE {where} GROUP BY {keys} ORDER BY {keys}""", parameters)


def call_table(store: Store, period: Period, *, agent: str | None = None, queue: str | None = None) -> pd.DataFrame:
    """One row per scored call, with one column per criterion (its points; empty where N/A)."""
    where, parameters = _scored(period, agent, queue)
    calls = store.query(f"SELECT {', '.join(CALL_EXPORT_COLUMNS)} FROM calls WHERE {where} ORDER BY recorded_at, call_id", parameters)
    if calls.empty:
        raise EmptyPeriodError(f"no scored calls from {period}", "choose another period with --from and --to")
    points = store.query(f"""
        SELECT call_id, criterion, CASE WHEN result = 'na' THEN NULL ELSE criteria.points END AS points
        FROM criteria JOIN calls USING (call_id) WHERE {where}""", parameters)
    if not points.empty:
        wide = points.pivot(index="call_id", columns="criterion", values="points")
        wide.columns = [f"criterion_{c}" for c in wide.columns]
        calls = calls.merge(wide, left_on="call_id", right_index=True, how="left")
    return calls


def nightly_totals(store: Store, period: Period, *, agent: str | None = None, queue: str | None = None) -> pd.DataFrame:
    """Mean total per agent per night, for the report's chart."""
    where, parameters = _scored(period, agent, queue)
    return store.query(f"""SELECT {AGENT} AS agent, recorded_at::DATE AS night, round(avg(total), 1) AS mean_total, count(*) AS calls
                           FROM calls WHERE {where} GROUP BY agent, night ORDER BY agent, night""", parameters)


def latency_distribution(store: Store, period: Period, *, agent: str | None = None, queue: str | None = None,
                         bins: tuple[float, ...] = (0.5, 1, 2, 3, 5, 10, 20, 45)) -> pd.DataFrame:
    """How many calls had their median acknowledgement latency in each bin (seconds, upper bounds)."""
    where, parameters = _scored(period, agent, queue)
    cases = " ".join(f"WHEN median_ack_latency_s <= {upper} THEN '≤ {upper:g} s'" for upper in bins)
    order = " ".join(f"WHEN median_ack_latency_s <= {upper} THEN {i}" for i, upper in enumerate(bins))
    return store.query(f"""
        SELECT CASE {cases} ELSE '> {bins[-1]:g} s' END AS latency, count(*) AS calls
        FROM calls WHERE {where} AND median_ack_latency_s IS NOT NULL
        GROUP BY latency, CASE {order} ELSE {len(bins)} END ORDER BY CASE {order} ELSE {len(bins)} END""", parameters)


def turn_table(store: Store, period: Period, *, agent: str | None = None, queue: str | None = None,
               show_pii: bool = False) -> pd.DataFrame:
    """One row per turn of the scored calls (their transcripts, from the JSON), personal data masked
    unless `show_pii`."""
    from ..results import read_json
    from .redact import redact_document

    where, parameters = _scored(period, agent, queue)
    rows = []
    for call_id, recorded_at, agent_id, path in store.connection.execute(
            f"SELECT call_id, recorded_at, agent_id, result_path FROM calls WHERE {where} ORDER BY recorded_at, call_id", parameters).fetchall():
        try:
            document = read_json(path)
        except (OSError, ValueError) as error:
            raise QAError(f"cannot read the result of {call_id} at {path}: {error}", "restore the JSON, or `callqa purge` the call") from error
        document = document if show_pii or "redactions" in document else redact_document(document)  # masked by run --redact
        rows += [{"call_id": call_id, "recorded_at": recorded_at, "agent_id": agent_id, "turn": t["id"], "speaker": t["speaker"],
                  "start": t["start"], "end": t["end"], "text": t["text"]} for t in document.get("turns", [])]
    if not rows:
        raise EmptyPeriodError(f"no scored calls from {period}", "choose another period with --from and --to")
    return pd.DataFrame(rows)
