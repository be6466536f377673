"""Tables out to the files managers open: CSV (UTF-8, one header row, ISO dates), XLSX and Parquet.

Text that a spreadsheet would run as a formula (a customer's words, an agent's name beginning with
= + - or @) is neutralised in CSV and XLSX by a leading apostrophe, OWASP's advice for CSV injection."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd

from ..errors import ConfigError

FORMATS = ("csv", "xlsx", "parquet")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that starts like a formula is prefixed with an apostrophe."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return safe


def _dates_as_iso(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return out


def write_table(frame: pd.DataFrame, format: str, out: str | Path | None = None) -> Path | None:
    """Write `frame` as `format`; CSV goes to standard output when `out` is None."""
    if format not in FORMATS:
        raise ConfigError(f"unknown export format {format!r}", f"use one of {', '.join(FORMATS)}")
    if out is None and format != "csv":
        raise ConfigError(f"--format {format} needs --out FILE", "only CSV can go to standard output")
    try:
        if format == "csv":
            table = neutralise(_dates_as_iso(frame))
            if out is None:
                buffer = io.StringIO()
                table.to_csv(buffer, index=False, float_format="%.6g")
                sys.stdout.write(buffer.getvalue())
                return None
            # the byte-order mark tells Excel the file is UTF-8, so names with accents open right
            table.to_csv(out, index=False, encoding="utf-8-sig", float_format="%.6g")
        elif format == "xlsx":
            neutralise(frame).to_excel(out, index=False, engine="openpyxl")
        else:
            frame.to_parquet(out, index=False)
    except OSError as error:
        raise ConfigError(f"cannot write {out}: {error.strerror or error}", "pass --out with a file in a folder you may write") from error
    return Path(out)
