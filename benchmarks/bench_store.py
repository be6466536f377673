"""The store at a contact centre's scale: fill it with synthetic scored calls (default 1,000,000: 500
agents over a year), then time what users run on it. Prints ingest speed, a month's `report agents`
(the tables and the HTML page), a month's `export --by call` to CSV, and the store's size.

    python benchmarks/bench_store.py                    # 1,000,000 calls into a temporary store
    python benchmarks/bench_store.py --calls 100000 --keep store.duckdb

Documents are made from a few dozen scored templates (different cues, acknowledgements, recaps,
closings, blame), each copied with its own call id, agent and time, so that making them costs little
beside what is timed: Store.add, the code path of `callqa ingest` and of each call of `callqa run`.
"""
from __future__ import annotations

import argparse
import copy
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.reports.export import write_table  # noqa: E402
from pipeline.reports.page import render_agent_page  # noqa: E402
from pipeline.reports.store import Store  # noqa: E402
from pipeline.reports.tables import Period, agent_table, call_table, criterion_pass_rates, nightly_totals  # noqa: E402
from tests.conftest import result_document  # noqa: E402  (the same documents the tests build)

CHUNK = 10_000
START = date(2025, 12, 1)


def templates() -> list[dict]:
    """Scored documents that differ in what the agent did."""
    return [result_document("t", "t", "2025-12-01", cues=cues, acknowledged=acks, latency_s=latency, recap=recap, closing=closing,
                            blame=blame, customer_name=name)
            for cues, acks in ((0, 0), (1, 0), (1, 1), (2, 1), (3, 3)) for latency in (0.8, 4.0) for recap in (True, False)
            for closing in (True, False) for blame in (0, 1) for name in ("Tim", "")][::3]


def synthetic_calls(count: int, agents: int, seed: int = 7):
    """Chunks of (document, path): `count` calls spread over a year and `agents` agents in 5 queues."""
    rng = random.Random(seed)
    base = templates()
    chunk = []
    for i in range(count):
        document = copy.copy(rng.choice(base))  # shallow: only the top-level fields below differ
        agent = rng.randrange(agents)
        moment = datetime.combine(START, datetime.min.time()) + timedelta(seconds=rng.randrange(365 * 86400))
        document.update(call_id=f"call{i:07d}", agent={"id": f"A{agent:03d}", "name": f"Agent {agent}"},
                        recorded_at=moment.isoformat(timespec="seconds"), queue=f"queue{agent % 5}")
        chunk.append((document, f"/results/{moment.date()}/calls/call{i:07d}.json"))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="keep the store at this path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="callqa-store-") as scratch:
        path = args.keep or Path(scratch) / "store.duckdb"
        path.unlink(missing_ok=True)
        ingest = 0.0
        with Store.open(path) as store:
            for chunk in synthetic_calls(args.calls, args.agents):
                started = time.perf_counter()
                store.add(chunk)
                ingest += time.perf_counter() - started
            print(f"ingest: {args.calls} calls in {ingest:.1f} s: {args.calls / ingest:,.0f} calls per second", flush=True)
        month = Period(date(2026, 5, 1), date(2026, 5, 31))
        with Store.open(path, create=False, read_only=True) as store:
            started = time.perf_counter()
            table = agent_table(store, month)
            render_agent_page(table, nightly_totals(store, month), criterion_pass_rates(store, month), period=str(month), title="bench")
            report = time.perf_counter() - started
            print(f"report agents, {month}: {len(table)} agents over {int(table['calls'].sum())} calls in {report:.2f} s")
            started = time.perf_counter()
            calls = call_table(store, month)
            write_table(calls, "csv", Path(scratch) / "month.csv")
            export = time.perf_counter() - started
            print(f"export --by call, {month}: {len(calls)} rows in {export:.2f} s "
                  f"({(Path(scratch) / 'month.csv').stat().st_size / 1e6:.1f} MB of CSV)")
        print(f"store file: {path.stat().st_size / 1e6:.0f} MB for {args.calls} calls")


if __name__ == "__main__":
    main()
