"""Leave one writer out: for each outside writer in turn, the four judges are fitted on every other
source (tools/judge_fitting.py, thresholds chosen inside those sources), the behaviour stages run with
them on the writer's calls, and the events are measured as `callqa evaluate` measures them
(pipeline/evaluate/events.py): on the exact transcripts, run as `callqa run` runs a transcript, and on
the audio as ASR heard it (the turns of `callqa run` results, their behaviour stages run again); then
pooled over the writers. The team's own calls are fitted on in every fold and never measured."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path

from benchmarks.labelled_text import write_transcript_batch
from pipeline.behaviours.judge import Judge, load_judge
from pipeline.bundle import ModelBundle
from pipeline.config import PipelineOptions
from pipeline.evaluate.events import event_counts, summarize_events
from pipeline.manifest import discover_calls, read_manifest
from pipeline.results import call_document
from pipeline.run import analyse_call, rerun_text_stages
from pipeline.voice.tone import ArousalModel

from tools.judge_fitting import CallExamples, fit_all
from tools.writers import LabelledCall, outside_writers

JUDGE_NAMES = ("cue", "acknowledgement", "recap", "closing")


@dataclass
class FoldModels(ModelBundle):
    """The models of a bundle (the same sentence encoder and classifiers) with the judges of one fold."""

    judges: dict[str, Judge] = field(default_factory=dict)

    def judge(self, name: str) -> Judge:
        return self.judges[name]


@dataclass(frozen=True)
class Row:
    """One row of the table: the per-call event counts (event_counts) of one writer's calls, one version each."""

    measured_on: str
    writer: str
    heard: bool  # audio as ASR heard it; False: the exact transcripts
    counts: list[dict]


@dataclass(frozen=True)
class Fold:
    writer: str
    judges: dict[str, Judge]  # fitted without the writer; about["fitted_on"] names every call version fitted on
    rows: list[Row]


def text_models() -> ModelBundle:
    """The models the behaviour stages need; no Whisper, since nothing is transcribed here (the calls
    measured are transcripts and the stored turns of `callqa run` results)."""
    return ModelBundle(PipelineOptions(), transcriber=None, arousal=ArousalModel())  # type: ignore[arg-type]


def with_judges(models: ModelBundle, judges: dict[str, Judge]) -> FoldModels:
    models.encoder  # loaded once, then shared by every fold with its cache of sentence vectors
    return FoldModels(**{f.name: getattr(models, f.name) for f in fields(ModelBundle)}, judges=judges)


def training_set(examples: list[CallExamples], writer: str) -> list[CallExamples]:
    """Every call version fitted on in `writer`'s fold: all but the writer's own."""
    return [c for c in examples if c.source != writer]


def fold_judges(examples: list[CallExamples], writer: str) -> dict[str, Judge]:
    return {name: fitted.judge for name, fitted in fit_all(training_set(examples, writer)).items()}


def measured_text(calls: list[LabelledCall], models: ModelBundle) -> list[dict]:
    """The event counts of each call's exact transcript, run through the pipeline as `callqa run` runs it."""
    truth = {c.call_id: c.truth for c in calls}
    counts = []
    with tempfile.TemporaryDirectory(prefix="callqa-writers-") as scratch:
        for number, folder in enumerate(dict.fromkeys(c.folder for c in calls)):
            batch = Path(scratch) / str(number)
            write_transcript_batch(folder, [c.call_id for c in calls if c.folder == folder], batch)
            for spec in discover_calls(batch):
                counts.append(event_counts(truth[spec.call_id], call_document(analyse_call(spec, models))))
    return counts


def measured_heard(calls: list[LabelledCall], models: ModelBundle) -> list[dict]:
    """The event counts of each call as ASR heard it: the behaviour stages run again over the turns of
    its `callqa run` result, with the people of the writer's manifest."""
    specs = {(folder, spec.call_id): spec for folder in dict.fromkeys(c.folder for c in calls)
             for spec in read_manifest(folder / "manifest.csv", folder)}
    return [event_counts(c.truth, rerun_text_stages(c.heard, specs[c.folder, c.group], models)) for c in calls]


def measure(calls: list[LabelledCall], writer: str, models: ModelBundle) -> list[Row]:
    """`writer`'s rows: its exact transcripts, then its calls as heard in each ASR folder that has them."""
    own = [c for c in calls if c.source == writer]
    text = [c for c in own if c.heard is None]
    rows = [Row(f"{writer}, text", writer, False, measured_text(text, models))]
    for folder in dict.fromkeys(c.asr_folder for c in own if c.heard is not None):
        heard = [c for c in own if c.asr_folder == folder]
        rows.append(Row(f"{writer}, audio as heard ({folder.name})", writer, True, measured_heard(heard, models)))
    return rows


def pooled(rows: list[Row]) -> list[Row]:
    """The counts of every writer summed: once for the transcripts, once for the audio as heard."""
    found = []
    for heard, what in ((False, "text"), (True, "audio as heard")):
        alike = [r for r in rows if r.heard == heard]
        if alike:
            writers = list(dict.fromkeys(r.writer for r in alike))
            label = f"{len(writers)} writer{'s' if len(writers) > 1 else ''}"
            found.append(Row(f"pooled, {what} ({label})", "pooled", heard, [c for r in alike for c in r.counts]))
    return found


def leave_one_writer_out(calls: list[LabelledCall], examples: list[CallExamples], models: ModelBundle) -> list[Fold]:
    """One fold per outside writer of `calls`: judges fitted on `examples` of every other source, and
    the rows measured on the writer's calls with them. `examples` are those of `calls`, in any order."""
    folds = []
    for writer in outside_writers(calls):
        judges = fold_judges(examples, writer)
        folds.append(Fold(writer, judges, measure(calls, writer, with_judges(models, judges))))
    return folds


def shipped_rows(calls: list[LabelledCall], models: ModelBundle) -> list[Row]:
    """The same rows with the judges that ship (pipeline/behaviours/judges), whatever they were fitted on."""
    shipped = with_judges(models, {name: load_judge(name) for name in JUDGE_NAMES})
    return [row for writer in outside_writers(calls) for row in measure(calls, writer, shipped)]


def seen_by_shipped(calls: list[LabelledCall]) -> dict[str, str]:
    """writer → how many of its calls the shipped judges were fitted on (any version of them)."""
    fitted_on = {call_id.split("@")[0] for name in JUDGE_NAMES for call_id in load_judge(name).about.get("fitted_on", [])}
    seen = {}
    for writer in outside_writers(calls):
        own = {c.group for c in calls if c.source == writer}
        seen[writer] = f"{len(own & fitted_on)} of {len(own)}"
    return seen


COLUMNS = ("measured on", "calls", "cue P / R", "acknowledgement P / R / F1", "latency error, median s", "recap F1", "closing F1",
           "apology accuracy", "name F1")


def cells(row: Row) -> list[str]:
    summary = summarize_events(row.counts)
    events = summary["events"]

    def figure(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}"

    def f1(kind: str) -> str:  # nothing found of what was there is an F1 of 0, though precision is undefined
        return figure(0.0 if events[kind]["f1"] is None and events[kind]["recall"] == 0 else events[kind]["f1"])

    cue, ack = events["cue"], events["acknowledgement"]
    return [row.measured_on, str(len(row.counts)), f"{figure(cue['precision'])} / {figure(cue['recall'])}",
            f"{figure(ack['precision'])} / {figure(ack['recall'])} / {f1('acknowledgement')}",
            figure(summary["ack_latency_error_median_s"]) if row.heard else "–",  # a transcript's times are the labels' own
            f1("recap"), f1("closing_action"), figure(summary["genuine_apology_accuracy"]), f1("name_use")]


def markdown_table(rows: list[Row], seen: dict[str, str] | None = None) -> str:
    """The rows as a Markdown table; with `seen` (writer → calls fitted on), a column that says it."""
    head = list(COLUMNS) + (["calls fitted on"] if seen is not None else [])
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in rows:
        extra = [seen.get(row.writer, "")] if seen is not None else []
        lines.append("| " + " | ".join(cells(row) + extra) + " |")
    return "\n".join(lines)
