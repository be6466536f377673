"""Leave one writer out (tools/leave_one_writer_out.py) end to end on a few of the project's own calls:
three "writers" and a team, each a handful of calls from data/samples, data/labelled and data/heldout."""
import csv

import pytest

from benchmarks.labelled_text import write_transcript_batch
from pipeline.manifest import discover_calls
from pipeline.run import analyse_and_save
from tools import leave_one_writer_out as lowo
from tools.judge_fitting import examples, fit_all
from tools.writers import TEAM, Source, asr_versions, labelled_calls

from .conftest import ROOT

DATA = ROOT / "data"
WRITERS = {  # who "wrote" which calls, for this test; every fold has plain customer turns (no cue) to learn from
    TEAM: ["labelled/l11_clinic_surgery", "labelled/l12_ecommerce_missing"],
    "writer A": ["samples/s01_energy_billing", "samples/s02_telecom_outage", "samples/s03_bank_lost_card"],
    "writer B": ["heldout/h01_gym_membership", "labelled/l13_hotel_overbooked"],
    "writer C": ["labelled/l08_software_lockout", "labelled/l09_power_outage"],
}


def source_folder(folder, calls: list[str]):
    """A folder of the calls' truth files (linked) and their manifest rows, as a writer's folder is."""
    folder.mkdir()
    rows = []
    for call in calls:
        part, call_id = call.split("/")
        (folder / f"{call_id}.truth.json").symlink_to(DATA / part / f"{call_id}.truth.json")
        rows += [row for row in csv.DictReader(open(DATA / part / "manifest.csv")) if row["call_id"] == call_id]
    with open(folder / "manifest.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The folds over the four sources; writer A's transcripts, run through `callqa run`, stand in for
    the ASR results of its audio. Records which judges each writer's calls were measured with."""
    tmp = tmp_path_factory.mktemp("writers")
    sources = tuple(Source(name, (source_folder(tmp / name.replace(" ", "_"), calls),)) for name, calls in WRITERS.items())
    models = lowo.text_models()
    calls = labelled_calls(sources)
    heard, batch = tmp / "heard", tmp / "batch"
    write_transcript_batch(sources[1].folders[0], [c.split("/")[1] for c in WRITERS["writer A"]], batch)
    for spec in discover_calls(batch):
        analyse_and_save(spec, models, heard)
    calls += asr_versions([heard], calls)
    customer, agent = models.classifier("customer_sentences"), models.classifier("agent_sentences")
    found = [examples(c, customer, agent) for c in calls]
    measured_with = {}
    measure = lowo.measure

    def recording(calls_, writer, fold_models):
        measured_with[writer] = fold_models.judges
        return measure(calls_, writer, fold_models)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lowo, "measure", recording)
        folds = lowo.leave_one_writer_out(calls, found, models)
    return calls, found, folds, measured_with


def test_each_writer_is_measured_by_judges_fitted_on_every_other_source_and_never_on_its_own_calls(run):
    calls, _, folds, measured_with = run
    assert [f.writer for f in folds] == ["writer A", "writer B", "writer C"]  # the team is never measured
    for fold in folds:
        own = {c.call_id for c in calls if c.source == fold.writer}
        others = {c.call_id for c in calls if c.source != fold.writer}
        assert own and any("@asr" in c for c in others | own)
        for name, judge in fold.judges.items():
            fitted_on = set(judge.about["fitted_on"])
            assert not fitted_on & own, f"{fold.writer}'s calls were fitted on by its own {name} judge"
            assert fitted_on == others
            assert 0 < judge.threshold < 1
        assert measured_with[fold.writer] is fold.judges


def test_rows_cover_every_call_of_the_writer_as_text_and_as_heard_and_pool_them(run):
    _, _, folds, _ = run
    rows = {row.measured_on: row for fold in folds for row in fold.rows}
    assert list(rows) == ["writer A, text", "writer A, audio as heard (heard)", "writer B, text", "writer C, text"]
    assert len(rows["writer A, text"].counts) == len(rows["writer A, audio as heard (heard)"].counts) == 3
    assert len(rows["writer B, text"].counts) == len(rows["writer C, text"].counts) == 2
    text, heard = lowo.pooled(list(rows.values()))
    assert (text.measured_on, len(text.counts)) == ("pooled, text (3 writers)", 7)
    assert (heard.measured_on, len(heard.counts)) == ("pooled, audio as heard (1 writer)", 3)
    table = lowo.markdown_table(list(rows.values()) + [text, heard]).splitlines()
    assert len(table) == 2 + 6 and table[0].startswith("| measured on | calls | cue P / R")
    figures = [f for line in table[2:] for cell in line.split("|")[3:-1] for f in cell.split("/")]
    assert all(f.strip() == "–" or 0 <= float(f) <= 1 for f in figures)
    cue = lowo.summarize_events(text.counts)["events"]["cue"]
    assert cue["tp"] > 0 and cue["recall"] > 0.5  # the stages ran with the fold's judges and found the cues


def test_thresholds_need_an_outside_writer_to_be_chosen_on(run):
    _, found, _, _ = run
    with pytest.raises(ValueError, match="outside writers"):
        fit_all([c for c in found if c.source == TEAM])
