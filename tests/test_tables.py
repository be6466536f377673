"""Per-agent, per-call and per-criterion tables: three nights into one store, each figure recomputed
here from the per-call JSON on its own."""
import statistics
from datetime import date

import pytest

from pipeline.reports.store import Store, result_documents
from pipeline.errors import EmptyPeriodError
from pipeline.reports.tables import Period, agent_table, call_table, criterion_pass_rates

from .conftest import result_document, write_night

NIGHTS = ["2026-11-18", "2026-11-19", "2026-11-20"]


def nights_of_calls():
    """Three nights, three agents, calls that differ in what the agents did; and one night the week before."""
    nights = {}
    for n, night in enumerate(NIGHTS):
        nights[night] = [
            result_document(f"{night}-{agent}-{k}", agent, f"{night}T{9 + k:02d}:15:00", cues=(n + k) % 3,
                            acknowledged=min((n + k) % 3, k % 2 + (agent == "A1")), latency_s=1.0 + k + n,
                            recap=(k + n) % 2 == 0, closing=agent != "A3" or k == 0, blame=int(agent == "A2" and k == 2),
                            customer_name="" if k == 1 else "Tim Baker")
            for agent in ("A1", "A2", "A3") for k in range(3)]
    nights["2026-11-16"] = [result_document(f"old-{k}", "A1", "2026-11-16T10:00:00", cues=2, acknowledged=0) for k in range(2)]
    return nights


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("nights")
    documents = []
    with Store.open(root / "store.duckdb") as opened:
        for night, calls in nights_of_calls().items():  # night by night, as the nightly runs write it
            opened.add(result_documents([write_night(root / night, calls)]))
            documents += calls
        yield opened, documents


def test_per_agent_figures_match_the_json(store):
    opened, documents = store
    period = Period(date(2026, 11, 18), date(2026, 11, 20))
    table = agent_table(opened, period).set_index("agent_id")
    inside = [d for d in documents if d["recorded_at"][:10] in NIGHTS]
    for agent in ("A1", "A2", "A3"):
        own = [d for d in inside if d["agent"]["id"] == agent]
        row = table.loc[agent]
        totals = [d["score"]["total"] for d in own]
        assert row["calls"] == len(own)
        assert row["mean_total"] == pytest.approx(statistics.mean(totals), abs=0.051)
        assert row["sd_total"] == pytest.approx(statistics.stdev(totals), abs=0.051)
        assert row["auto_fails"] == sum(d["score"]["auto_failed"] for d in own)
        cues = sum(d["checks"]["cues"] for d in own)
        assert row["missed_cue_rate"] == pytest.approx(sum(len(d["checks"]["cues_missed"]) for d in own) / cues, abs=0.001)
        latencies = [d["checks"]["median_ack_latency_s"] for d in own if d["checks"]["median_ack_latency_s"] is not None]
        assert row["median_ack_latency_s"] == pytest.approx(statistics.median(latencies), abs=0.01)
        named = [d for d in own if d["checks"]["name"]["customer_name"]]
        assert row["name_rate"] == pytest.approx(sum(d["checks"]["name"]["uses"] > 0 for d in named) / len(named), abs=0.001)
        assert row["recap_rate"] == pytest.approx(sum(d["checks"]["recap"] for d in own) / len(own), abs=0.001)
        assert row["closing_rate"] == pytest.approx(sum(d["checks"]["closing_action"] for d in own) / len(own), abs=0.001)
        rates = {}
        for criterion in {c["id"] for d in own for c in d["score"]["criteria"]}:
            judged = [c for d in own for c in d["score"]["criteria"] if c["id"] == criterion and c["result"] != "na"]
            if judged:
                rates[criterion] = sum(c["result"] == "pass" for c in judged) / len(judged)
                assert row[f"pass_rate_{criterion}"] == pytest.approx(rates[criterion], abs=0.001), criterion
        assert rates[row["weakest_criterion"]] == min(rates.values())
    before = [d["score"]["total"] for d in documents if d["recorded_at"].startswith("2026-11-16")]
    assert table.loc["A1", "change_vs_previous"] == pytest.approx(table.loc["A1", "mean_total"] - statistics.mean(before), abs=0.11)
    assert table["change_vs_previous"].isna().tolist() == [False, True, True]  # A2, A3 had no calls the period before


def test_filters_and_an_empty_period(store):
    opened, _ = store
    period = Period(date(2026, 11, 20), date(2026, 11, 20))
    assert agent_table(opened, period, agent="A2")["agent_id"].tolist() == ["A2"]
    calls = call_table(opened, period)
    assert len(calls) == 9 and {"criterion_acknowledged_cues", "criterion_no_blame"} <= set(calls.columns)
    by_criterion = criterion_pass_rates(opened, period).set_index("criterion")
    assert by_criterion.loc["no_blame", "failed"] == 1
    with pytest.raises(EmptyPeriodError, match="no scored calls from 2026-12-01 to 2026-12-31"):
        agent_table(opened, Period(date(2026, 12, 1), date(2026, 12, 31)))


def test_no_weakest_criterion_for_an_agent_who_passed_everything(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        store.add([(result_document(f"c{k}", "A9", "2026-11-20T10:00:00", cues=1, acknowledged=1, latency_s=0.5), f"c{k}.json")
                   for k in range(2)])
        table = agent_table(store, Period(date(2026, 11, 20), date(2026, 11, 20)))
    assert table["mean_total"].tolist() == [100.0] and table["weakest_criterion"].isna().all()
    assert table["auto_fails"].dtype.kind == "i"
