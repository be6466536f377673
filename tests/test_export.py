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


def test_xlsx_opens_in_openpyxl_with_formulas_as_text(table, tmp_path):
    import openpyxl

    write_table(table, "xlsx", tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(table.columns)
    assert rows[1][2] == "'=HYPERLINK(\"http://evil\")" and sheet.cell(row=2, column=3).data_type == "s"
    assert rows[2][4] == 87.5


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
