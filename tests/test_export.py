"""What a manager opens: CSV back in pandas with the documented columns, XLSX in openpyxl, Parquet,
and a customer's words that begin with "=" arriving as text."""
import pandas as pd
import pytest

from pipeline.errors import ConfigError
from pipeline.reports.export import neutralise, write_table
from pipeline.reports.tables import CALL_EXPORT_COLUMNS


@pytest.fixture
def table():
    return pd.DataFrame({
        "call_id": ["c1", "c2"], "recorded_at": pd.to_datetime(["2026-11-20 09:15", "2026-11-21 10:00"]),
        "agent_name": ["=HYPERLINK(\"http://evil\")", "Zoë Ünal"], "queue": ["@billing", "+1 line"], "total": [-5.0, 87.5],
    })


def test_csv_reads_back_with_iso_dates_and_formulas_as_text(table, tmp_path):
    write_table(table, "csv", tmp_path / "out.csv")
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark: a spreadsheet opens it as UTF-8
    back = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig")
    assert list(back.columns) == list(table.columns)
    assert back["recorded_at"].tolist() == ["2026-11-20T09:15:00", "2026-11-21T10:00:00"]
    assert back["agent_name"].tolist() == ["'=HYPERLINK(\"http://evil\")", "Zoë Ünal"]
    assert back["queue"].tolist() == ["'@billing", "'+1 line"]
    assert back["total"].tolist() == [-5.0, 87.5]  # numbers stay numbers, negative ones too


def test_xlsx_opens_in_openpyxl_with_formulas_as_text_shown_as_written(table, tmp_path):
    """A text cell of an XLSX is never run as a formula, so the text stays as it was: no apostrophe."""
    import openpyxl

    write_table(table, "xlsx", tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(table.columns)
    assert rows[1][2] == "=HYPERLINK(\"http://evil\")" and sheet.cell(row=2, column=3).data_type == "s"
    assert rows[1][3] == "@billing" and rows[2][3] == "+1 line"
    assert all(sheet.cell(row=r, column=c).data_type == "s" for r in (2, 3) for c in (3, 4))
    assert rows[1][4] == -5.0 and rows[2][4] == 87.5 and sheet.cell(row=2, column=5).data_type == "n"


def test_parquet_keeps_types(table, tmp_path):
    write_table(table, "parquet", tmp_path / "out.parquet")
    back = pd.read_parquet(tmp_path / "out.parquet")
    assert back["recorded_at"].dtype.kind == "M" and back["agent_name"][0].startswith("=")  # data, not a sheet


def test_csv_to_standard_output_and_refusals(table, capsys, tmp_path):
    write_table(table, "csv")
    assert capsys.readouterr().out.splitlines()[0] == ",".join(table.columns)
    with pytest.raises(ConfigError, match="needs --out"):
        write_table(table, "xlsx")
    with pytest.raises(ConfigError, match="unknown export format"):
        write_table(table, "pdf", tmp_path / "x.pdf")


def test_neutralise_leaves_safe_text_and_numbers_alone():
    frame = neutralise(pd.DataFrame({"a": ["fine", "-2 items", None], "b": [1, -2, 3]}))
    assert frame["a"].tolist()[:2] == ["fine", "'-2 items"] and frame["b"].tolist() == [1, -2, 3]


def test_call_export_columns_are_the_documented_ones():
    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    assert all(f"`{column}`" in readme for column in CALL_EXPORT_COLUMNS)


def test_parquet_gives_a_column_of_nothing_but_missing_values_its_store_type(tmp_path):
    """No call failed a critical criterion: `auto_failed_by` is all missing, and is still text in Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.reports.store import Store
    from pipeline.reports.tables import call_table, resolve_period

    from .conftest import result_document

    with Store.open(tmp_path / "s.duckdb") as store:
        store.add([(result_document(c, "A1", "2026-11-20", customer_name=""), f"/r/{c}.json") for c in ("c1", "c2")])
        table = call_table(store, resolve_period(store, None, None))
    assert table["auto_failed_by"].isna().all()
    write_table(table, "parquet", tmp_path / "calls.parquet")
    schema = pq.read_schema(tmp_path / "calls.parquet")
    text = (pa.string(), pa.large_string())  # pandas writes its text columns as either
    assert schema.field("auto_failed_by").type in text and schema.field("agent_name").type in text
    assert schema.field("cues").type == pa.int32() and schema.field("total").type == pa.float64()
    assert schema.field("recorded_at").type.unit in ("us", "ns")
    assert not any(pa.types.is_null(f.type) for f in schema), [f for f in schema if pa.types.is_null(f.type)]


@pytest.mark.parametrize("format", ["csv", "xlsx", "parquet"])
def test_a_private_export_is_its_owners_alone_even_over_an_older_file(table, tmp_path, format):
    import os
    import stat

    target = tmp_path / f"turns.{format}"
    target.write_text("an older export")
    target.chmod(0o644)
    write_table(table, format, target, private=True)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    shared = tmp_path / f"shared.{format}"
    write_table(table, format, shared)
    assert stat.S_IMODE(os.stat(shared).st_mode) & 0o044  # not private: readable by the team, as before
