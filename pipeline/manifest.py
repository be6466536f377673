"""A batch folder (and its manifest, if any) → the calls to score.

The manifest is read as spreadsheets write it: UTF-8 with or without a byte-order mark, else
Windows-1252 (Excel's "CSV (Comma delimited)" on Windows); Excel's `sep=;` first line; blank rows and
rows of commas; padded cells. What is wrong with one row fails that row's call (its CallSpec's
`problem`), never the night; only a file that cannot be read as a table at all is a ManifestError."""
from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import ManifestError
from .models import CallSpec
from .speech.transcript import TRANSCRIPT_SUFFIXES

logger = logging.getLogger("callqa")

AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".oga", ".aac", ".wma", ".webm", ".mka", ".amr", ".aif", ".aiff", ".au"}
REQUIRED_COLUMNS = ("call_id", "file", "agent_id", "agent_name", "customer_name", "recorded_at")
DEFAULT_MANIFEST = "manifest.csv"
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # a call id names a file in OUT/calls
# Tried in this order: UTF-8 (a BOM is dropped), then what Excel on Windows writes for "CSV (Comma delimited)"
ENCODINGS = ("utf-8-sig", "cp1252")
# Excel in many European locales separates with ';'; "Unicode text" with tabs. Only used when the header has no comma.
OTHER_SEPARATORS = (";", "\t")
EXCEL_SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)  # Excel's first line naming the separator
ISO_EXAMPLES = "ISO 8601, such as 2026-11-20 or 2026-11-20T09:15:00"
# A known moment written with and read back by a --date-format: the format names a full date only if
# the day comes back (a format of only %H:%M reads as 1 January 1900).
_PROBE = datetime(2026, 11, 29, 17, 45, 30)


def discover_calls(batch: str | Path, manifest: str | Path | None = None, *, date_format: str | None = None) -> list[CallSpec]:
    """Every call in `batch`: the manifest's rows, then audio files in the folder that no row names.

    Without `manifest`, `batch/manifest.csv` is used when it exists. `date_format` (a strptime format)
    reads the manifest's recorded_at values that are not ISO 8601.
    """
    batch = Path(batch)
    if not batch.is_dir():
        raise ManifestError(f"{batch}: batch folder not found", "pass the folder that holds the recordings")
    if manifest is None and (batch / DEFAULT_MANIFEST).is_file():
        manifest = batch / DEFAULT_MANIFEST
    specs = read_manifest(manifest, batch, date_format=date_format) if manifest else []
    # A file a row names, refused or not, is that row's call: never scored again under its file name.
    # Symlinks count by both their own path and their target, so two links to one recording are one call.
    named = {spec.path for spec in specs if spec.path} | {str(Path(spec.path).resolve()) for spec in specs if spec.path}
    # broken links are listed too, so that they are reported rather than silently skipped
    unnamed = sorted(p for p in batch.rglob("*") if (p.is_file() or p.is_symlink()) and _is_call(p)
                     and str(p) not in named and str(p.resolve()) not in named)
    return specs + [CallSpec(call_id=call_id, path=str(path)) for call_id, path in _ids_from_names(unnamed, {s.call_id for s in specs})]


def _is_call(path: Path) -> bool:
    """Audio, or a transcript named as one (`*.transcript.json`, `*.vtt`): any other JSON in the
    folder (truth labels, a manifest's notes) is not a call unless a manifest row names it."""
    return path.suffix.lower() in AUDIO_SUFFIXES or path.name.lower().endswith(TRANSCRIPT_SUFFIXES)


def _ids_from_names(paths: list[Path], taken: set[str]) -> list[tuple[str, Path]]:
    """Call ids from file names (`c001.wav` → `c001`, `c002.transcript.json` → `c002`); the whole name
    where two files share a stem."""
    stems = [p.name[: -len(".transcript.json")] if p.name.lower().endswith(".transcript.json") else p.stem for p in paths]
    return [(p.name if stems.count(stem) > 1 or stem in taken else stem, p) for stem, p in zip(stems, paths)]


def read_manifest(manifest: str | Path, batch: Path, *, date_format: str | None = None) -> list[CallSpec]:
    """One CallSpec per row that names a call, in the order of the file."""
    manifest = Path(manifest)
    if not manifest.is_file():
        raise ManifestError(f"{manifest}: manifest not found", "pass --manifest with an existing CSV file, or leave it out")
    if date_format is not None:
        check_date_format(date_format)
    specs, first_line, undated, no_agent_id = [], {}, [], []
    for number, row, extra in _rows(manifest):
        spec = _spec_of_row(row, extra, manifest, number, batch, date_format)
        if spec is None:
            continue
        if spec.call_id in first_line:
            duplicate = f"duplicate call_id {spec.call_id!r} (first on line {first_line[spec.call_id]}); give each call its own id"
            spec = replace(spec, call_id=f"{spec.call_id}.line{number}",
                           problem=_join(spec.problem, f"{manifest}, line {number}: {duplicate}"))
        first_line.setdefault(spec.call_id, number)
        if not spec.problem and not spec.recorded_at:
            undated.append(number)
        if not spec.problem and not (spec.agent_id or "").strip():
            no_agent_id.append(number)
        specs.append(spec)
    if undated:
        one = len(undated) == 1
        logger.warning("%s: %s with no recorded_at (%s %s): scored, but no report or export period includes %s; "
                       "fill in the date (%s) and run the night again", manifest, "1 row" if one else f"{len(undated)} rows",
                       "line" if one else "lines", ", ".join(map(str, undated)), "it" if one else "them", ISO_EXAMPLES)
    if no_agent_id:
        logger.warning("%s: no agent_id on line(s) %s: scored, and reported under the agent's name (or as unknown agent) "
                       "apart from every other agent; fill in agent_id and run the night again", manifest, ", ".join(map(str, no_agent_id)))
    return specs


def _join(problem: str, more: str) -> str:
    return f"{problem}; {more}" if problem else more


# --- the file as a table ------------------------------------------------------------------------


def _rows(manifest: Path):
    """(line number, {column: stripped value}, the values past the header's columns) for each row
    that holds anything; blank lines and rows of commas (Excel's trailing rows) are passed over."""
    text = _decoded(manifest)
    first_line = text.split("\n", 1)[0].strip()
    sep_line = EXCEL_SEP_LINE.fullmatch(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep_line.group(1) if sep_line else _separator(first_line))
    if sep_line:
        next(reader)
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ManifestError(f"{manifest}: manifest lacks column(s) {', '.join(missing)}",
                            f"its header must name at least {','.join(REQUIRED_COLUMNS)}")
    for values in reader:
        values = [value.strip() for value in values]
        if not any(values):
            continue
        row = dict(zip(header, values))
        yield reader.line_num, row, values[len(header):]


def _decoded(manifest: Path) -> str:
    """The manifest's text: UTF-8 (with or without a BOM), else Windows-1252."""
    try:
        data = manifest.read_bytes()
    except OSError as error:
        raise ManifestError(f"{manifest}: cannot read the manifest: {error.strerror or error}", "check its permissions") from error
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # a workbook, or UTF-16 "Unicode text": either way not a CSV file
            break
        return text
    raise ManifestError(f"{manifest}: not a CSV text file in UTF-8 or Windows-1252 (an Excel workbook, or another encoding?)",
                        "save it from the spreadsheet as 'CSV UTF-8 (Comma delimited)' and pass that file")


def _separator(header_line: str) -> str:
    if "," in header_line:
        return ","
    return next((s for s in OTHER_SEPARATORS if s in header_line), ",")


# --- one row ------------------------------------------------------------------------------------


def _spec_of_row(row: dict[str, str], extra: list[str], manifest: Path, number: int, batch: Path,
                 date_format: str | None) -> CallSpec | None:
    """The row's call, with what is wrong with it as its `problem`; None for a row that names no call."""
    call_id, file = row.get("call_id", ""), row.get("file", "")
    where = f"{manifest}, line {number}"
    if not call_id and not file:
        logger.warning("%s: no call_id and no file; row skipped (fill in both to score that call)", where)
        return None
    problems = []
    if any(extra):  # trailing empty cells are only a spreadsheet's habit
        problems.append(f"{len(row) + len(extra)} values but the header names {len(row)} columns; "
                        "quote a value that holds a comma (\"Núñez, José\") so the columns after it stay in place")
    if not call_id:
        problems.append(f"call_id is empty; fill in an id for {file!r} (letters, digits, '.', '_', '-')")
        call_id = f"line{number}"
    elif not SAFE_ID.fullmatch(call_id):
        problems.append(f"call_id {call_id!r} may hold only letters, digits, '.', '_' and '-'")
        call_id = f"line{number}"
    if not file:
        problems.append("file is empty; fill in the recording's file name, relative to the batch folder")
    elif _climbs_out(file):
        problems.append(f"file {file!r} lies outside the batch folder {batch}; refused "
                        "(manifest paths are relative to the batch folder and must stay inside it)")
    recorded_at, date_problem = _recorded_at(row.get("recorded_at", ""), date_format)
    channel, channel_problem = _channel(row.get("agent_channel", ""))
    problems += [p for p in (date_problem, channel_problem) if p]
    return CallSpec(
        problem=f"{where}: {'; '.join(problems)}" if problems else "",
        call_id=call_id,
        path=str(batch / file) if file else "",
        agent_id=row.get("agent_id", ""),
        agent_name=row.get("agent_name", ""),
        customer_name=row.get("customer_name", ""),
        recorded_at=recorded_at,
        queue=row.get("queue", ""),
        agent_channel=channel,
        agent_speaker=row.get("agent_speaker", ""),
    )


def _climbs_out(file: str) -> bool:
    """Whether a manifest path leaves the batch folder as written: absolute, or climbing with `..`.
    Symlinks inside the folder are the operator's own (a nightly folder of links into the
    recorder's storage) and are followed; only what the manifest itself writes is judged."""
    parts = PurePosixPath(file.replace("\\", "/")).parts
    depth = 0
    for part in parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return True
    return PurePosixPath(file).is_absolute() or PureWindowsPath(file).is_absolute() or bool(PureWindowsPath(file).drive)


def _channel(value: str) -> tuple[int | None, str]:
    """(the agent's channel, or None; what is wrong with the value)."""
    if not value:
        return None, ""
    if not value.isdigit():
        return None, f"agent_channel must be a channel number (0 = left), not {value!r}"
    return int(value), ""


# --- recorded_at --------------------------------------------------------------------------------


def _recorded_at(value: str, date_format: str | None) -> tuple[str, str]:
    """(the value as ISO 8601, or "" when empty or unreadable; what is wrong with it). The date is read
    here once, so that nothing after the manifest guesses whether 03/04 is March or April."""
    if not value:
        return "", ""
    try:
        return parse_recorded_at(value, date_format), ""
    except ValueError:
        accepted = f"{ISO_EXAMPLES}, or {date_format!r} as --date-format says" if date_format else (
            f"{ISO_EXAMPLES}; for another form pass --date-format for the whole manifest (a strptime format, e.g. '%m/%d/%Y %H:%M')")
        return "", f"recorded_at {value!r} is not a date callqa reads: write {accepted}"


def parse_recorded_at(value: str, date_format: str | None = None) -> str:
    """`value` as ISO 8601: a date stays a date (2026-11-20), a time of day gives a datetime
    (2026-11-20T09:15:00, its UTC offset kept when given). Read with `date_format` first when given,
    then as ISO 8601; ValueError when neither reads it."""
    if date_format:
        try:
            return _iso(datetime.strptime(value, date_format), has_time=_names_a_time(date_format))
        except ValueError:
            pass
    moment = datetime.fromisoformat(value.replace("z", "Z"))
    return _iso(moment, has_time=not _is_date_only(value))


def _iso(moment: datetime, *, has_time: bool) -> str:
    return moment.isoformat() if has_time else moment.date().isoformat()


def _is_date_only(value: str) -> bool:
    try:
        date.fromisoformat(value)
        return True
    except ValueError:
        return False


def _names_a_time(date_format: str) -> bool:
    return any(directive in date_format for directive in ("%H", "%I", "%M", "%S", "%X", "%c", "%p"))


def check_date_format(date_format: str) -> None:
    """Refuse a --date-format that cannot name a day: not a strptime format, or one without year,
    month and day."""
    try:
        day = datetime.strptime(_PROBE.strftime(date_format), date_format).date()
    except ValueError:
        day = None
    if day != _PROBE.date():
        raise ManifestError(f"--date-format {date_format!r} does not read a full date (year, month and day)",
                            "pass a strptime format such as '%m/%d/%Y %H:%M' or '%d.%m.%Y', or leave it out for ISO 8601")
