"""Tables out to the files managers open: CSV (UTF-8, one header row, ISO dates), XLSX and Parquet.

Text that a spreadsheet would run as a formula (a customer's words, an agent's name beginning with
= + - or @) is neutralised in CSV by a leading apostrophe, OWASP's advice for CSV injection. In XLSX
every text is written as a text cell, which no spreadsheet runs, so it shows as it was. Parquet keeps
the store's column types, so a column with nothing but missing values still has its type.

A file that shows personal data (`private`) is written for its owner alone (0600), as the per-call JSON
is; every file is written whole through a temporary file and a rename."""
from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..results import write_whole
from .store import CALL_COLUMNS, CRITERION_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "xlsx", "parquet")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# the store's type of each column an export may carry ("VARCHAR PRIMARY KEY" → VARCHAR), as a pandas
# dtype that Parquet writes as that type
STORE_TYPES = {name: kind.split()[0] for columns in (CRITERION_COLUMNS, CALL_COLUMNS) for name, kind in columns.items()}
PANDAS_TYPES = {"VARCHAR": "string", "DOUBLE": "float64", "INTEGER": "Int32", "BOOLEAN": "boolean", "TIMESTAMP": "datetime64[us]"}
CRITERION_PREFIX = "criterion_"  # the call export's per-criterion points: DOUBLE, as criteria.points


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that starts like a formula is prefixed with an apostrophe."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return safe


def _dates_as_iso(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return out


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose columns carry the store's types: a column the store knows gets its type, a
    per-criterion column a float, and any other column of missing values or text is text. Without this a
    column of nothing but missing values (`auto_failed_by` when no call failed a critical criterion)
    has no type at all in Parquet."""
    out = frame.copy()
    for column in out.columns:
        kind = STORE_TYPES.get(column) or ("DOUBLE" if str(column).startswith(CRITERION_PREFIX) else None)
        if kind is None and out[column].dtype == object and out[column].map(lambda v: v is None or isinstance(v, str)).all():
            kind = "VARCHAR"
        if kind is not None:
            out[column] = out[column].astype(PANDAS_TYPES[kind])
    return out


def _xlsx(frame: pd.DataFrame, target: str) -> None:
    """An XLSX whose text cells are all text cells: openpyxl reads a string that starts with "=" as a
    formula, so each such cell is set back to text before the file is saved."""
    import pandas as pd

    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False)
        for sheet in writer.sheets.values():
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"


def write_table(frame: pd.DataFrame, format: str, out: str | Path | None = None, *, private: bool = False) -> Path | None:
    """Write `frame` as `format`; CSV goes to standard output when `out` is None. `private`: the frame
    shows personal data, and the file is readable by its owner alone."""
    if format not in FORMATS:
        raise ConfigError(f"unknown export format {format!r}", f"use one of {', '.join(FORMATS)}")
    if out is None and format != "csv":
        raise ConfigError(f"--format {format} needs --out FILE", "only CSV can go to standard output")
    if out is None:
        buffer = io.StringIO()
        neutralise(_dates_as_iso(frame)).to_csv(buffer, index=False, float_format="%.6g")
        sys.stdout.write(buffer.getvalue())
        return None
    out = Path(out)
    if format == "csv":
        # the byte-order mark tells Excel the file is UTF-8, so names with accents open right
        write = lambda target: neutralise(_dates_as_iso(frame)).to_csv(target, index=False, encoding="utf-8-sig", float_format="%.6g")
    elif format == "xlsx":
        write = lambda target: _xlsx(frame, target)
    else:
        write = lambda target: typed(frame).to_parquet(target, index=False)
    try:
        write_whole(out, private, write, ".xlsx" if format == "xlsx" else "")
    except OSError as error:
        raise ConfigError(f"cannot write {out}: {error.strerror or error}", "pass --out with a file in a folder you may write") from error
    return out
