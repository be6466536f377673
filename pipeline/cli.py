"""The `callqa` command: a thin typer layer. Library errors become messages and exit codes here."""
from __future__ import annotations

import logging
import signal
from datetime import date, datetime
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .config import EMBEDDED_MODEL, EMBEDDED_MODELS, SAMPLE_RATE, AsrOptions, DiarizationOptions, PipelineOptions, ReviewOptions, ToneOptions
from .errors import ConfigError, QAError
from .reports.export import FORMATS
from .reports.store import STORE_ENV

app = typer.Typer(help="Score recorded customer-service calls for empathy and conversation quality.", no_args_is_help=True)
console = Console(stderr=True)

EXIT_SOME_FAILED = 3
DEFAULT_STORE_NAME = "callqa.duckdb"
report_app = typer.Typer(help="Reports over the store.", no_args_is_help=True)
app.add_typer(report_app, name="report")


def _fail(error: QAError) -> None:
    # soft wrap: a path in the message stays whole, for the user to copy
    console.print(f"[red]error:[/red] {error.message}", soft_wrap=True, markup=True, highlight=False)
    if error.hint:
        console.print(f"  hint: {error.hint}", soft_wrap=True, highlight=False)
    raise typer.Exit(error.exit_code)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each stage of each call and how long it took.")) -> None:
    logger = logging.getLogger("callqa")
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    if not any(isinstance(h, RichHandler) for h in logger.handlers):  # the progress bar and the log share one console
        logger.addHandler(RichHandler(console=console, show_path=False))


def _date_format(value: str | None) -> str | None:
    """--date-format, refused as a bad argument (exit code 2) when it cannot read a full date."""
    from .manifest import check_date_format

    if value is not None:
        try:
            check_date_format(value)
        except QAError as error:
            raise typer.BadParameter(f"{error.message}; {error.hint}") from error
    return value


@app.command()
def run(
    batch: Path = typer.Argument(..., help="Folder of recordings (any format ffmpeg decodes)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Results go to OUT/calls/<call_id>.json."),
    manifest: Optional[Path] = typer.Option(None, help="CSV with call_id,file,agent_id,agent_name,customer_name,recorded_at; default BATCH/manifest.csv if present."),
    date_format: Optional[str] = typer.Option(None, callback=_date_format,
                                              help="How the manifest writes recorded_at when not ISO 8601: a strptime format for every row, e.g. '%m/%d/%Y %H:%M'."),
    asr_model: str = typer.Option(EMBEDDED_MODEL, help=f"{' or '.join(EMBEDDED_MODELS)} (shipped in packages; default {EMBEDDED_MODEL}), a local CTranslate2 folder, or a faster-whisper model name."),
    vocabulary: Optional[Path] = typer.Option(None, exists=True, dir_okay=False, resolve_path=True,
                                              help="YAML of product, brand and place names, for every call and per queue, decoded as hot words (turns --hot-words on)."),
    hot_words: bool = typer.Option(False, "--hot-words/--no-hot-words", help="Decode each call with its manifest's names (and the vocabulary) as hot words (README: Hot words)."),
    device: str = typer.Option("cpu", help="cpu or cuda."),
    compute_type: str = typer.Option("int8", help="CTranslate2 compute type (int8, float16, …)."),
    speakers: Optional[int] = typer.Option(None, min=1, help="Fix the number of speakers in mono recordings (default: found)."),
    diarizer: str = typer.Option("embedded", help="Mono diarization: embedded (offline) or pyannote (optional extra)."),
    diarization_model: str = typer.Option("", help="For --diarizer pyannote: local pipeline folder or hub id (token in HF_TOKEN)."),
    rttm: bool = typer.Option(False, "--rttm", help="Also write OUT/rttm/<call_id>.rttm for mono recordings."),
    tone_model: str = typer.Option("", help="Arousal model written by `callqa fit-tone` (default: built-in weights)."),
    workers: int = typer.Option(1, min=1, help="Score calls in this many processes, each loading its models once."),
    scheduler: Optional[str] = typer.Option(None, help="Run on a Dask cluster (tcp://HOST:8786); audio and OUT must be on paths its workers share."),
    force: bool = typer.Option(False, "--force", help="Score again calls already scored with the same audio, models and phrase lists."),
    scorecard: Optional[Path] = typer.Option(None, help="Scorecard YAML (default: scorecards/default.yaml)."),
    store: Optional[Path] = typer.Option(None, envvar=STORE_ENV, help=f"DuckDB store shared across nights (or ${STORE_ENV}); default OUT/callqa.duckdb."),
    redact: bool = typer.Option(False, "--redact", help="Mask personal data (card numbers, e-mail addresses, names, …) in the per-call JSON too."),
) -> None:
    """Score every call in BATCH."""
    from .batch import run_batch
    from .manifest import discover_calls
    from .reports.scorecard import load_scorecard

    store = store or out / DEFAULT_STORE_NAME
    try:
        card = load_scorecard(scorecard)
        specs = discover_calls(batch, manifest, date_format=date_format)
        if not specs:
            raise QAError(f"{batch}: no audio files found", "put recordings (WAV, FLAC, MP3, M4A, OGG) in the folder")
        options = PipelineOptions(
            # a vocabulary is there to be heard: it turns hot words on
            asr=AsrOptions(model=asr_model, device=device, compute_type=compute_type, hot_words=hot_words or vocabulary is not None,
                           vocabulary=str(vocabulary or "")),
            diarization=DiarizationOptions(backend=diarizer, model=diarization_model, speakers=speakers),
            tone=ToneOptions(model=tone_model),
        )
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=False) as progress:
            task = progress.add_task("loading models", total=len(specs))

            def hook(step: str, artefact, call_id: str = "") -> None:
                if step == "start":
                    progress.update(task, description=f"scoring {call_id}")
                elif step in ("done", "skip"):
                    progress.advance(task)

            summary = run_batch(specs, out, options, hook=hook, rttm=rttm, workers=workers, scheduler=scheduler, force=force,
                                scorecard=card, store=store, redact=redact)
            progress.update(task, description="done")
    except QAError as error:
        _fail(error)
    table = Table(title=escape(f"callqa run {batch}"), show_header=False)
    facts = summary.as_dict()
    for key in ("scored", "failed", "skipped_already_scored", "updated", "purged_not_stored", "not_done", "no_recorded_at",
                "audio_hours", "wall_seconds", "real_time_factor"):
        if facts[key] or key not in ("updated", "purged_not_stored", "not_done", "no_recorded_at"):
            table.add_row(key.replace("_", " "), str(facts[key]))
    console.print(table)
    if summary.no_recorded_at:
        console.print(f"[yellow]{summary.no_recorded_at} call(s) have no recorded_at[/yellow]: no report or export period "
                      "includes them; fill in their manifest rows (ISO 8601, or pass --date-format) and run again")
    for call_id, error in summary.failures.items():
        console.print(f"[red]failed[/red] {escape(call_id)}: {escape(error)}")
    console.print(escape(f"results in {out / 'calls'}; store {store}"))
    if summary.interrupted:
        console.print(f"[yellow]stopped by {summary.interrupted}[/yellow]: {summary.not_done} call(s) not done; "
                      "run the same command again to score them (finished calls are kept)")
        raise typer.Exit(128 + signal.Signals[summary.interrupted].value)  # the shell's convention: 130, 143
    if summary.failed:
        raise typer.Exit(EXIT_SOME_FAILED)


@app.command()
def evaluate(
    truth: list[Path] = typer.Option(..., help="Folder of <call_id>.truth.json and *.rttm files; repeat for more folders."),
    results: Path = typer.Option(..., help="The --out folder of a run (or its calls/ folder)."),
    save: Optional[Path] = typer.Option(None, help="Where to write the metrics JSON; default RESULTS/evaluation.json."),
    errors: bool = typer.Option(True, "--errors/--no-errors", help="List every missed and false event with its turn's words."),
) -> None:
    """Compare results with truth labels (*.truth.json) and RTTM references (*.rttm): WER, speakers, DER, roles."""
    from .evaluate import evaluate_folder
    from .results import write_json

    try:
        report = evaluate_folder(truth, results)
    except QAError as error:
        _fail(error)
    table = Table(title="callqa evaluate")
    table.add_column("call")
    # the party WERs' word counts stay in the JSON: the table is wide enough
    metrics = sorted({k for row in report["calls"].values() for k in row if not k.startswith("ref_words_")})
    for metric in metrics:
        table.add_column(metric, justify="right")
    for call_id, row in report["calls"].items():
        table.add_row(call_id, *(_cell(row.get(m)) for m in metrics))
    table.add_row("[bold]overall[/bold]", *(_cell(report["overall"].get(m)) for m in metrics))
    out = Console(width=max(Console().width, 140))
    out.print(table)
    if "behaviours" in report:
        behaviours = report["behaviours"]
        events = Table(title="behaviour events (matched to labelled turns)")
        for column in ("event", "precision", "recall", "f1", "tp", "fp", "fn"):
            events.add_column(column, justify="left" if column == "event" else "right")
        for kind, row in behaviours["events"].items():
            events.add_row(kind, *(_cell(row[k]) for k in ("precision", "recall", "f1", "tp", "fp", "fn")))
        out.print(events)
        out.print(f"acknowledgement latency error, median: {_cell(behaviours['ack_latency_error_median_s'])} s "
                  f"over {behaviours['ack_latency_errors']} matched; genuine-apology accuracy: "
                  f"{_cell(behaviours['genuine_apology_accuracy'])} over {behaviours['apologies_judged']}")
        for kind, rows in behaviours["reliability"].items():
            if not rows:
                continue
            reliable = Table(title=f"{kind} reliability: of the events given each confidence, how many were right")
            for column in ("confidence", "events", "right", "share_right"):
                reliable.add_column(column, justify="right")
            for row in rows:
                reliable.add_row(*(_cell(row[c]) for c in ("confidence", "events", "right", "share_right")))
            out.print(reliable)
        for kind, mistakes in behaviours["errors"].items() if errors else ():
            for item in mistakes:
                cue = f"  ← cue turn {item['cue_turn']}: {item['cue_text']}" if "cue_turn" in item else ""
                cue += f"  ({item['kind']})" if "kind" in item else ""
                out.print(f"{kind} {item['error']:6s} {item['call']} turn {item['turn']}: {item['text']}{cue}", highlight=False, markup=False)
    target = save or (results / "evaluation.json")
    try:
        write_json(target, report)
    except OSError as error:
        _fail(QAError(f"cannot save the metrics to {target}: {error.strerror or error}", "pass --save with a file you may write"))
    console.print(f"metrics saved to {target}")


def _cell(value) -> str:
    return "" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


@app.command()
def tone(files: list[Path] = typer.Argument(..., help="Audio clips; three or more are measured against their median, as one speaker's.")) -> None:
    """Print one CSV row per clip: its prosody features and arousal (0-100)."""
    import csv
    import sys

    from .results import features_document
    from .speech.audio import load_audio
    from .voice.prosody import segment_features
    from .voice.tone import ArousalModel, clip_arousal

    try:
        clips = [segment_features(load_audio(f).segment(), SAMPLE_RATE) for f in files]
    except QAError as error:
        _fail(error)
    writer = None
    for path, clip, arousal in zip(files, clips, clip_arousal(clips, ArousalModel())):
        row = {"file": str(path), **{k: v for k, v in features_document(clip).items() if k != "loudness_per_second"}, "arousal": arousal}
        if writer is None:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(row))
            writer.writeheader()
        writer.writerow(row)


@app.command("fit-tone")
def fit_tone(
    labels: Path = typer.Argument(..., help="CSV with file,label (label 1 or heated = aroused, 0 or calm = not); optional start,end seconds."),
    out: Path = typer.Option(Path("tone-model.json"), help="Where to write the model; use it with `callqa run --tone-model`."),
) -> None:
    """Refit the arousal model on a team's own labelled turns."""
    import csv

    from .speech.audio import load_audio
    from .voice.prosody import segment_features
    from .voice.tone import ArousalModel, clip_rows

    try:
        with open(labels, newline="") as handle:
            rows = list(csv.DictReader(handle))
        if not rows or not {"file", "label"} <= set(rows[0]):
            raise QAError(f"{labels}: needs the columns file,label", "label is 1/heated for aroused turns and 0/calm for the others")
        clips, targets = [], []
        for row in rows:
            audio = load_audio(labels.parent / row["file"]).segment()
            start, end = float(row.get("start") or 0), float(row.get("end") or len(audio) / SAMPLE_RATE)
            clips.append(segment_features(audio[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)], SAMPLE_RATE))
            targets.append(1 if row["label"].strip().lower() in ("1", "heated", "high", "aroused") else 0)
        model = ArousalModel().fit(clip_rows(clips), targets)
    except (QAError, OSError, ValueError) as error:
        _fail(error if isinstance(error, QAError) else QAError(f"{labels}: {error}"))
    model.save(out)
    console.print(f"arousal model fitted on {len(targets)} clips ({sum(targets)} heated) → {out}")


EXPORT_TABLES = ("call", "agent", "criterion", "turn")  # what `export --by` makes a row of


def _one_of(values: tuple[str, ...]):
    """An option callback that refuses any value but `values` as a bad argument (exit code 2), listing them."""
    def check(value: str) -> str:
        if value not in values:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(values)}")
        return value
    return check


STORE_OPTION = typer.Option(None, "--store", envvar=STORE_ENV, help=f"The DuckDB store (or ${STORE_ENV}).")
FROM_OPTION = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day, YYYY-MM-DD (default: the store's first).")
TO_OPTION = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Last day, included (default: the store's last).")


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@app.command()
def ingest(
    results: list[Path] = typer.Argument(..., help="Results folders of `callqa run` (or their calls/ folders, or JSON files)."),
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """Build or rebuild the store from per-call JSON documents; a call already stored is replaced, a
    purged call is refused (and the copy found deleted)."""
    from .reports.store import Store, result_documents, store_path

    try:
        with Store.open(store_path(store)) as opened:
            count = opened.add_all(result_documents(results))
            refused = opened.skipped_as_purged
    except QAError as error:
        _fail(error)
    console.print(f"{count} calls written to {store_path(store)}")
    if refused:
        files, pages = _remove_copies([path for _, path in refused], {call_id for call_id, _ in refused})
        console.print(f"{len(refused)} skipped as purged ({', '.join(sorted({c for c, _ in refused}))}): "
                      f"{len(files)} result files and {len(pages)} review pages of theirs deleted", soft_wrap=True, highlight=False)


@app.command()
def purge(
    call_ids: list[str] = typer.Argument(..., help="Call ids to remove."),
    reason: Optional[str] = typer.Option(None, help="Who asked and why (a ticket number), kept with the record of the purge."),
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """Remove calls from the store and delete their JSON documents, RTTM files and review pages (a
    customer's request for deletion). The store keeps a record of each purge, so that neither `ingest`
    nor a later `run` brings the call back."""
    from .reports.store import Store, store_path

    try:
        with Store.open(store_path(store), create=False) as opened:
            found = opened.stored(call_ids)
            paths = opened.purge(call_ids, reason=reason)
    except QAError as error:
        _fail(error)
    files, pages = _remove_copies(paths, found)
    console.print(f"purged {len(found)} of {len(call_ids)} calls: {len(files)} result files and {len(pages)} review pages deleted; "
                  "`ingest` and `run` will not store them again", soft_wrap=True, highlight=False)
    missing = [call_id for call_id in call_ids if call_id not in found]
    if missing:
        _fail(QAError(f"not in the store, so nothing was purged for them: {', '.join(missing)}",
                      "check the ids with `callqa export --by call`"))


def _remove_copies(paths: list[str], call_ids: set[str]) -> tuple[list[Path], list[Path]]:
    """Delete purged calls' result files (JSON, RTTM) and the review pages `review --batch` made beside
    them; returns (result files, review pages) deleted. What cannot be deleted is said, not raised: the
    purge itself is done."""
    from .reports.review import remove_call_pages
    from .reports.store import result_copies

    files, pages, folders = [], [], set()
    for path in paths:
        json_path = Path(path)
        folders.add(json_path.parent.parent if json_path.parent.name == "calls" else json_path.parent)
        for copy in result_copies(json_path):
            try:
                copy.unlink()
                files.append(copy)
            except OSError as error:
                console.print(f"[yellow]warning:[/yellow] cannot delete {copy}: {error.strerror or error}", soft_wrap=True)
    for folder in sorted(folders):
        try:
            pages += [page for page in remove_call_pages(folder, call_ids) if page.name != "index.html"]
        except (QAError, OSError) as error:
            console.print(f"[yellow]warning:[/yellow] cannot update the review pages in {folder}: {error}", soft_wrap=True)
    return files, pages


@app.command()
def rescore(
    scorecard: Path = typer.Option(..., help="The scorecard YAML to score with."),
    start: Optional[datetime] = FROM_OPTION,
    end: Optional[datetime] = TO_OPTION,
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """Score stored calls again with SCORECARD, without transcribing: the JSON and the store are updated."""
    from .reports.rescore import rescore_calls
    from .reports.scorecard import load_scorecard
    from .reports.store import Store, store_path

    try:
        card = load_scorecard(scorecard)
        with Store.open(store_path(store), create=False) as opened:
            count = rescore_calls(opened, card, _day(start), _day(end))
    except QAError as error:
        _fail(error)
    console.print(f"{count} calls rescored with {card.id} version {card.version}")


@report_app.command("agents")
def report_agents(
    start: Optional[datetime] = FROM_OPTION,
    end: Optional[datetime] = TO_OPTION,
    agent: Optional[str] = typer.Option(None, help="Only this agent id."),
    queue: Optional[str] = typer.Option(None, help="Only this queue."),
    out: Path = typer.Option(Path("agents"), help="Writes OUT.csv and OUT.html."),
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """Per-agent scorecards over a period: CSV and one self-contained HTML page."""
    from .reports.export import write_table
    from .reports.page import render_agent_page
    from .reports.store import Store, store_path
    from .reports.tables import agent_table, calls_without_agent_id, criterion_pass_rates, nightly_totals, resolve_period

    try:
        with Store.open(store_path(store), create=False, read_only=True) as opened:
            period = resolve_period(opened, _day(start), _day(end))
            table = agent_table(opened, period, agent=agent, queue=queue)
            page = render_agent_page(table, nightly_totals(opened, period, agent=agent, queue=queue),
                                     criterion_pass_rates(opened, period, agent=agent, queue=queue),
                                     period=str(period), title="callqa: agent scorecards")
            undated = _undated_calls(opened)
            without_id = calls_without_agent_id(opened, period, queue=queue)
        csv_path, html_path = out.with_suffix(".csv"), out.with_suffix(".html")
        write_table(table, "csv", csv_path)
        html_path.write_text(page, encoding="utf-8")
    except OSError as error:
        _fail(QAError(f"cannot write the report: {error}", "pass --out in a folder you may write"))
    except QAError as error:
        _fail(error)
    console.print(f"{len(table)} agents, {period}: {csv_path}, {html_path}")
    _warn_without_agent_id(without_id)
    if undated:
        calls = "1 scored call in the store has" if undated == 1 else f"{undated} scored calls in the store have"
        console.print(f"[yellow]{calls} no recorded_at[/yellow] and are in no period: "
                      "fill in their manifest rows' recorded_at (ISO 8601, or run with --date-format) and run those nights again")


def _warn_without_agent_id(calls: int) -> None:
    if calls:
        console.print(f"[yellow]{calls} call(s) have no agent_id[/yellow]: reported under the agent's name, or as "
                      "unknown agent; fill in agent_id in their manifest rows and run those nights again (nothing is transcribed again)")


def _undated_calls(opened) -> int:
    """How many scored calls of the store no period holds, for want of a date."""
    return opened.connection.execute("SELECT count(*) FROM calls WHERE status = 'scored' AND recorded_at IS NULL").fetchone()[0]


@app.command()
def export(
    start: Optional[datetime] = FROM_OPTION,
    end: Optional[datetime] = TO_OPTION,
    agent: Optional[str] = typer.Option(None, help="Only this agent id."),
    queue: Optional[str] = typer.Option(None, help="Only this queue."),
    by: str = typer.Option("call", callback=_one_of(EXPORT_TABLES), help="One row per call, agent, criterion, or turn (the transcripts)."),
    format: str = typer.Option("csv", callback=_one_of(FORMATS), help="csv, xlsx or parquet."),
    out: Optional[Path] = typer.Option(None, help="The file to write; CSV goes to standard output without it."),
    show_pii: bool = typer.Option(False, "--show-pii", help="--by turn: show personal data instead of masking it (the file is then yours alone, 0600)."),
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """Export scores for a spreadsheet: per call, per agent, per criterion or per turn (columns in the README)."""
    from functools import partial

    from .reports.export import write_table
    from .reports.store import Store, store_path
    from .reports.tables import agent_table, call_table, calls_without_agent_id, criterion_pass_rates, resolve_period, turn_table

    tables = {"call": call_table, "agent": agent_table, "criterion": criterion_pass_rates,
              "turn": partial(turn_table, show_pii=show_pii)}
    try:
        with Store.open(store_path(store), create=False, read_only=True) as opened:
            period = resolve_period(opened, _day(start), _day(end))
            table = tables[by](opened, period, agent=agent, queue=queue)
            without_id = calls_without_agent_id(opened, period, queue=queue) if by == "agent" else 0
        written = write_table(table, format, out, private=show_pii)
    except QAError as error:
        _fail(error)
    if written:
        console.print(f"{len(table)} rows, {period}: {written}")
    _warn_without_agent_id(without_id)


@app.command()
def review(
    call_id: Optional[str] = typer.Argument(None, help="The call to review (its id in the store, or a result JSON file)."),
    batch: Optional[Path] = typer.Option(None, "--batch", help="Instead: pages for every call of a run's OUT folder, and an index."),
    out: Optional[Path] = typer.Option(None, help="The page to write (default CALL_ID.html; with --batch, OUT/review/)."),
    open_page: bool = typer.Option(False, "--open", help="Open the page in the default browser."),
    show_pii: bool = typer.Option(False, "--show-pii", help="Show personal data instead of masking it."),
    text: bool = typer.Option(False, "--text", help="Tell the call's story in the terminal instead."),
    late_ack_s: float = typer.Option(ReviewOptions.late_ack_s, "--late-ack", min=0.0,
                                     help="Seconds after its cue's turn from which an acknowledgement is shown as late."),
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """One call on one page for a coach: timeline, cues and acknowledgements, scorecard, the recording."""
    from .reports.review import render_review, write_page
    from .results import read_json

    options = ReviewOptions(late_ack_s=late_ack_s)
    try:
        if batch is not None:
            written = _review_batch(batch, out, show_pii, options)
            console.print(f"{len(written)} pages and an index in {written[0].parent if written else out}")
            return
        if not call_id:
            raise ConfigError("give a CALL_ID, or --batch OUT", "callqa review c0001, or callqa review --batch results/2026-11-20")
        document = read_json(_result_path(call_id, store))
        if text:
            from .reports.terminal import review_renderables

            for part in review_renderables(document, show_pii=show_pii, options=options):
                Console().print(part)
            return
        target = out or Path(f"{document['call_id']}.html")
        write_page(target, render_review(document, show_pii=show_pii, options=options), private=show_pii)
    except OSError as error:
        _fail(QAError(f"cannot write the page: {error.strerror or error}", "pass --out with a file in a folder you may write"))
    except QAError as error:
        _fail(error)
    console.print(f"review page: {target}")
    if open_page:
        import webbrowser

        webbrowser.open(target.resolve().as_uri())


def _result_path(call_id: str, store: Path | None) -> Path:
    """A result JSON given by its path, or found through the store by call id."""
    from .reports.store import Store, store_path

    if call_id.endswith(".json") and Path(call_id).is_file():
        return Path(call_id)
    with Store.open(store_path(store), create=False, read_only=True) as opened:
        found = opened.connection.execute("SELECT result_path FROM calls WHERE call_id = ?", [call_id]).fetchone()
    if not found or not Path(found[0]).is_file():
        raise QAError(f"no result for call {call_id!r} in {store_path(store)}" + (f" (its JSON {found[0]} is gone)" if found else ""),
                      "check the id with `callqa export --by call`, or pass the result JSON file")
    return Path(found[0])


def _review_batch(batch: Path, out: Path | None, show_pii: bool, options: ReviewOptions) -> list[Path]:
    from .reports.review import render_index, render_review, write_page
    from .reports.store import result_documents

    folder = out or batch / "review"
    folder.mkdir(parents=True, exist_ok=True)
    documents, written = [], []
    for document, _ in result_documents([batch]):
        link = f"{document['call_id']}.html"
        if document.get("status") == "scored":
            write_page(folder / link, render_review(document, show_pii=show_pii, options=options), private=show_pii)
            written.append(folder / link)
        documents.append((document, link))
    write_page(folder / "index.html", render_index(documents), private=show_pii)
    return written + [folder / "index.html"]


if __name__ == "__main__":
    app()
