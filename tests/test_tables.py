"""Per-agent, per-call and per-criterion tables: three nights into one store, each figure recomputed
here from the per-call JSON on its own."""
import statistics
from datetime import date

import pytest

from pipeline.reports.store import Store, result_documents
from pipeline.errors import EmptyPeriodError
from pipeline.reports.tables import Period, agent_table, call_table, calls_without_agent_id, criterion_pass_rates

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


def without_agent_id(call_id: str, name: str, **kwargs) -> dict:
    document = result_document(call_id, "", "2026-11-20T10:00:00", **kwargs)
    return {**document, "agent": {"id": "", "name": name}}


def test_agents_without_an_id_are_not_merged_into_one_row(tmp_path):
    calls = [without_agent_id("e1", "Empty One", cues=1, acknowledged=1), without_agent_id("e2", "Empty Two", cues=1, acknowledged=0),
             without_agent_id("e3", "", cues=0, acknowledged=0), result_document("k1", "A1", "2026-11-20T11:00:00")]
    with Store.open(tmp_path / "s.duckdb") as store:
        store.add([(d, f"{d['call_id']}.json") for d in calls])
        period = Period(date(2026, 11, 20), date(2026, 11, 20))
        table = agent_table(store, period).set_index("agent")
        assert calls_without_agent_id(store, period) == 3
        by_agent = criterion_pass_rates(store, period, by_agent=True)
    assert sorted(table.index) == ["A1", "Empty One (no agent id)", "Empty Two (no agent id)", "unknown agent (no agent id)"]
    assert table["calls"].tolist() == [1, 1, 1, 1]
    assert table.loc["Empty One (no agent id)", "mean_total"] == calls[0]["score"]["total"]
    assert table.loc["Empty Two (no agent id)", "mean_total"] == calls[1]["score"]["total"]
    assert set(by_agent["agent"]) == set(table.index)


def test_a_call_without_agent_speech_is_counted_but_in_no_mean(tmp_path):
    spoken = [result_document(f"c{k}", "A1", "2026-11-20T10:00:00", cues=k, acknowledged=k) for k in range(2)]
    silent = {**result_document("quiet", "A1", "2026-11-20T12:00:00"), "turns": []}
    from pipeline.reports.score import score_call
    from pipeline.reports.scorecard import load_scorecard
    from pipeline.results import score_document

    silent["score"] = score_document(score_call(silent, load_scorecard()))
    with Store.open(tmp_path / "s.duckdb") as store:
        store.add([(d, f"{d['call_id']}.json") for d in spoken + [silent]])
        row = agent_table(store, Period(date(2026, 11, 20), date(2026, 11, 20))).iloc[0]
    assert row["calls"] == 3 and row["calls_without_total"] == 1
    assert row["mean_total"] == pytest.approx(statistics.mean(d["score"]["total"] for d in spoken), abs=0.051)
    assert row["band"] != "n/a"


@pytest.mark.parametrize("order", [1, -1])
def test_the_band_on_a_tie_does_not_depend_on_the_order_of_the_rows(tmp_path, order):
    """Two calls in each of two bands: the band of the lower totals, whichever was stored first."""
    high = [result_document(f"h{k}", "A1", "2026-11-20T10:00:00", cues=1, acknowledged=1, latency_s=0.5) for k in range(2)]
    low = [result_document(f"l{k}", "A1", "2026-11-20T10:00:00", cues=2, acknowledged=0, recap=False) for k in range(2)]
    assert high[0]["score"]["band"] != low[0]["score"]["band"]
    with Store.open(tmp_path / "s.duckdb") as store:
        for document in (high + low)[::order]:  # one at a time, as nights arrive
            store.add([(document, f"{document['call_id']}.json")])
        row = agent_table(store, Period(date(2026, 11, 20), date(2026, 11, 20))).iloc[0]
    assert row["band"] == low[0]["score"]["band"]
