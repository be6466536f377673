"""A batch folder (and its manifest, if any) → the calls to score."""
from __future__ import annotations

import csv
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import ManifestError
from .models import CallSpec
from .speech.transcript import TRANSCRIPT_SUFFIXES

AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".oga", ".aac", ".wma", ".webm", ".mka", ".amr", ".aif", ".aiff", ".au"}
REQUIRED_COLUMNS = ("call_id", "file", "agent_id", "agent_name", "customer_name", "recorded_at")
DEFAULT_MANIFEST = "manifest.csv"
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # a call id names a file in OUT/calls


def discover_calls(batch: str | Path, manifest: str | Path | None = None) -> list[CallSpec]:
    """Every call in `batch`: the manifest's rows, then audio files in the folder that no row names.

    Without `manifest`, `batch/manifest.csv` is used when it exists.
    """
    batch = Path(batch)
    if not batch.is_dir():
        raise ManifestError(f"{batch}: batch folder not found", "pass the folder that holds the recordings")
    if manifest is None and (batch / DEFAULT_MANIFEST).is_file():
        manifest = batch / DEFAULT_MANIFEST
    specs = read_manifest(manifest, batch) if manifest else []
    # A file a row names, refused or not, is that row's call: never scored again under its file name.
    # Symlinks count by both their own path and their target, so two links to one recording are one call.
    named = {spec.path for spec in specs} | {str(Path(spec.path).resolve()) for spec in specs}
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


def read_manifest(manifest: str | Path, batch: Path) -> list[CallSpec]:
    manifest = Path(manifest)
    if not manifest.is_file():
        raise ManifestError(f"{manifest}: manifest not found", "pass --manifest with an existing CSV file, or leave it out")
    with open(manifest, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(
                f"{manifest}: manifest lacks column(s) {', '.join(missing)}",
                f"its header must name at least {','.join(REQUIRED_COLUMNS)}",
            )
        rows = list(reader)
    specs, first_line = [], {}
    for number, row in enumerate(rows, start=2):
        file = (row.get("file") or "").strip()
        call_id = (row.get("call_id") or "").strip()
        if not call_id or not file:
            raise ManifestError(f"{manifest}, line {number}: call_id and file must not be empty")
        problem = ""
        if not SAFE_ID.fullmatch(call_id):
            problem = f"{manifest}, line {number}: call_id {call_id!r} may hold only letters, digits, '.', '_' and '-'"
            call_id = f"line{number}"
        path = batch / file
        if _climbs_out(file):
            problem = (f"{manifest}, line {number}: file {file!r} lies outside the batch folder {batch}; refused "
                       "(manifest paths are relative to the batch folder and must stay inside it)")
        if call_id in first_line:
            problem = f"{manifest}, line {number}: duplicate call_id {call_id!r} (first on line {first_line[call_id]}); give each call its own id"
            call_id = f"{call_id}.line{number}"
        first_line.setdefault(call_id, number)
        specs.append(
            CallSpec(
                problem=problem,
                call_id=call_id,
                path=str(path),
                agent_id=row["agent_id"].strip(),
                agent_name=row["agent_name"].strip(),
                customer_name=row["customer_name"].strip(),
                recorded_at=row["recorded_at"].strip(),
                queue=(row.get("queue") or "").strip(),
                agent_channel=_channel(row.get("agent_channel"), manifest, number),
                agent_speaker=(row.get("agent_speaker") or "").strip(),
            )
        )
    return specs


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


def _channel(value: str | None, manifest: Path, number: int) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ManifestError(f"{manifest}, line {number}: agent_channel must be a channel number (0 = left), not {value!r}")
    return int(value)
