import pytest

from pipeline.errors import ManifestError
from pipeline.manifest import discover_calls

HEADER = "call_id,file,agent_id,agent_name,customer_name,recorded_at"


def test_without_manifest_ids_come_from_file_names(tmp_path):
    for name in ("c1.wav", "c2.mp3", "notes.txt", "c3.wav", "c3.flac"):
        (tmp_path / name).write_bytes(b"x")
    specs = discover_calls(tmp_path)
    assert sorted(s.call_id for s in specs) == ["c1", "c2", "c3.flac", "c3.wav"]
    assert all(s.agent_id == "" for s in specs)


def test_manifest_rows_carry_people_and_channel(tmp_path):
    (tmp_path / "a.wav").write_bytes(b"x")
    (tmp_path / "extra.wav").write_bytes(b"x")
    (tmp_path / "m.csv").write_text(f"{HEADER},queue,agent_channel\nX1,a.wav,A1,Dana W,Tim B,2026-11-20,billing,1\n")
    specs = discover_calls(tmp_path, tmp_path / "m.csv")
    assert [(s.call_id, s.agent_name, s.customer_name, s.queue, s.agent_channel) for s in specs] == [
        ("X1", "Dana W", "Tim B", "billing", 1), ("extra", "", "", "", None)]


def test_manifest_csv_in_batch_is_used_by_default(tmp_path):
    (tmp_path / "manifest.csv").write_text(f"{HEADER}\nX1,a.wav,A1,Dana,Tim,\n")
    assert [s.call_id for s in discover_calls(tmp_path)] == ["X1"]


def test_manifest_missing_columns_is_refused(tmp_path):
    (tmp_path / "m.csv").write_text("call_id,file\nX1,a.wav\n")
    with pytest.raises(ManifestError, match="lacks column.*agent_id"):
        discover_calls(tmp_path, tmp_path / "m.csv")


def test_manifest_path_outside_batch_is_refused_for_that_row(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "m.csv").write_text(f"{HEADER}\nX1,../secret.wav,A1,Dana,Tim,\nX2,ok.wav,A1,Dana,Tim,\n")
    first, second = discover_calls(batch, batch / "m.csv")
    assert "outside the batch folder" in first.problem and "refused" in first.problem
    assert second.problem == ""


def test_duplicate_and_unsafe_call_ids_are_problems_of_their_rows(tmp_path):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,a.wav,1,D,T,\nA,b.wav,1,D,T,\n../x,c.wav,1,D,T,\n")
    specs = discover_calls(tmp_path, tmp_path / "m.csv")
    assert [s.call_id for s in specs] == ["A", "A.line3", "line4"]
    assert specs[0].problem == "" and "duplicate call_id 'A' (first on line 2)" in specs[1].problem
    assert "may hold only" in specs[2].problem


def test_missing_batch_folder(tmp_path):
    with pytest.raises(ManifestError, match="batch folder not found"):
        discover_calls(tmp_path / "nope")


def test_a_file_named_by_a_refused_row_is_not_scored_again_under_its_name(tmp_path):
    (tmp_path / "a.wav").write_bytes(b"x")
    (tmp_path / "manifest.csv").write_text(f"{HEADER}\nbad id!,a.wav,A1,Dana,Tim,2026-11-20\n")
    specs = discover_calls(tmp_path)
    assert len(specs) == 1 and "call_id" in specs[0].problem


# recorded_at: parsed once here, stored as ISO 8601; what cannot be read fails its own row


def test_recorded_at_in_iso_8601_is_kept_normalised(tmp_path):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,a.wav,1,D,T,2026-11-20\nB,b.wav,1,D,T,2026-11-20 09:15\n"
                                    "C,c.wav,1,D,T,2026-11-20T09:15:00Z\nD,d.wav,1,D,T,20261120T0915\n")
    specs = discover_calls(tmp_path, tmp_path / "m.csv")
    assert [s.recorded_at for s in specs] == ["2026-11-20", "2026-11-20T09:15:00", "2026-11-20T09:15:00+00:00", "2026-11-20T09:15:00"]
    assert all(s.problem == "" for s in specs)


@pytest.mark.parametrize("value", ["next tuesday", "1795000000", "03/04/2026", "11/29/2026", "2026-13-01"])
def test_an_unreadable_recorded_at_is_a_problem_of_its_row(tmp_path, value):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nok,a.wav,1,D,T,2026-11-20\nbad,b.wav,1,D,T,{value}\n")
    good, bad = discover_calls(tmp_path, tmp_path / "m.csv")
    assert good.problem == "" and bad.call_id == "bad"
    assert "line 3" in bad.problem and repr(value) in bad.problem and "ISO 8601" in bad.problem and "--date-format" in bad.problem
    assert bad.recorded_at == ""  # never a guess


def test_date_format_reads_the_whole_manifest_one_way(tmp_path):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,a.wav,1,D,T,03/04/2026 09:15\nB,b.wav,1,D,T,11/29/2026 17:00\n"
                                    "C,c.wav,1,D,T,2026-11-20\nD,d.wav,1,D,T,29/11/2026 17:00\n")
    a, b, c, d = discover_calls(tmp_path, tmp_path / "m.csv", date_format="%m/%d/%Y %H:%M")
    assert (a.recorded_at, b.recorded_at, c.recorded_at) == ("2026-03-04T09:15:00", "2026-11-29T17:00:00", "2026-11-20")
    assert "'29/11/2026 17:00'" in d.problem and "%m/%d/%Y %H:%M" in d.problem


@pytest.mark.parametrize("fmt", ["mm/dd/yyyy", "%H:%M"])
def test_a_date_format_that_names_no_date_is_refused(tmp_path, fmt):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,a.wav,1,D,T,2026-11-20\n")
    with pytest.raises(ManifestError, match="--date-format"):
        discover_calls(tmp_path, tmp_path / "m.csv", date_format=fmt)


def test_an_empty_recorded_at_is_scored_with_one_warning(tmp_path, caplog):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,a.wav,1,D,T,\nB,b.wav,1,D,T,2026-11-20\nC,c.wav,1,D,T,  \n")
    with caplog.at_level("WARNING", logger="callqa"):
        specs = discover_calls(tmp_path, tmp_path / "m.csv")
    assert [(s.recorded_at, s.problem) for s in specs] == [("", ""), ("2026-11-20", ""), ("", "")]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "2 rows" in warnings[0] and "lines 2, 4" in warnings[0] and "no recorded_at" in warnings[0]


# encodings and the rows that spreadsheets write


def test_a_manifest_saved_by_excel_in_windows_1252_reads_right(tmp_path):
    (tmp_path / "m.csv").write_bytes(f"{HEADER}\nA,a.wav,1,Zoë Ström,José Núñez,2026-11-20\n".encode("cp1252"))
    (spec,) = discover_calls(tmp_path, tmp_path / "m.csv")
    assert (spec.agent_name, spec.customer_name) == ("Zoë Ström", "José Núñez")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_a_manifest_in_utf_8_with_or_without_bom_reads_right(tmp_path, encoding):
    (tmp_path / "m.csv").write_bytes(f"{HEADER}\nA,a.wav,1,Zoë,José Núñez,2026-11-20\n".encode(encoding))
    (spec,) = discover_calls(tmp_path, tmp_path / "m.csv")
    assert (spec.call_id, spec.customer_name) == ("A", "José Núñez")


def test_a_manifest_in_neither_encoding_is_a_manifest_error_naming_the_file(tmp_path):
    # 0x81 is undefined in Windows-1252 and 0xC3 0x28 is no UTF-8 sequence
    (tmp_path / "m.csv").write_bytes(f"{HEADER}\nA,a.wav,1,D,".encode() + b"\xc3\x28\x81,2026-11-20\n")
    with pytest.raises(ManifestError, match=r"m\.csv.*UTF-8.*Windows-1252") as raised:
        discover_calls(tmp_path, tmp_path / "m.csv")
    assert "CSV UTF-8" in raised.value.hint


def test_a_workbook_passed_as_the_manifest_is_refused_plainly(tmp_path):
    (tmp_path / "m.csv").write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20)
    with pytest.raises(ManifestError, match=r"m\.csv.*not a CSV text file"):
        discover_calls(tmp_path, tmp_path / "m.csv")


def test_a_row_without_call_id_fails_alone_under_its_line(tmp_path):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,a.wav,1,D,T,2026-11-20\n,b.wav,1,D,T,2026-11-20\nC,c.wav,1,D,T,2026-11-20\n")
    specs = discover_calls(tmp_path, tmp_path / "m.csv")
    assert [s.call_id for s in specs] == ["A", "line3", "C"]
    assert specs[0].problem == specs[2].problem == ""
    assert "line 3" in specs[1].problem and "call_id is empty" in specs[1].problem and "b.wav" in specs[1].problem


def test_a_row_without_file_fails_alone(tmp_path):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,,1,D,T,2026-11-20\nB,b.wav,1,D,T,2026-11-20\n")
    first, second = discover_calls(tmp_path, tmp_path / "m.csv")
    assert first.call_id == "A" and "file is empty" in first.problem and second.problem == ""


def test_a_row_with_neither_call_id_nor_file_is_skipped_with_a_warning(tmp_path, caplog):
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,a.wav,1,D,T,2026-11-20\n,,1,D,T,2026-11-20\n")
    with caplog.at_level("WARNING", logger="callqa"):
        specs = discover_calls(tmp_path, tmp_path / "m.csv")
    assert [s.call_id for s in specs] == ["A"]
    assert any("line 3" in r.getMessage() and "skipped" in r.getMessage() for r in caplog.records)


def test_blank_lines_rows_of_commas_whitespace_and_extra_columns_are_handled(tmp_path, caplog):
    (tmp_path / "m.csv").write_text(
        " Call_ID , file ,agent_id,agent_name,customer_name,recorded_at,notes\n"
        "\n"
        "  A , a.wav , 1 , Dana W ,  Tim B , 2026-11-20 ,called twice\n"
        ",,,,,,\n"
        "B,b.wav,1,D,T,2026-11-20,,,\n"
        ",,,,,,\n")
    with caplog.at_level("WARNING", logger="callqa"):
        specs = discover_calls(tmp_path, tmp_path / "m.csv")
    assert [(s.call_id, s.path, s.agent_name, s.customer_name, s.recorded_at, s.problem) for s in specs] == [
        ("A", str(tmp_path / "a.wav"), "Dana W", "Tim B", "2026-11-20", ""),
        ("B", str(tmp_path / "b.wav"), "D", "T", "2026-11-20", "")]
    assert not [r for r in caplog.records if r.levelname == "WARNING"]  # empty rows say nothing


def test_a_row_with_more_values_than_columns_is_a_problem_of_its_row(tmp_path):
    # an unquoted comma in a name shifts every field after it
    (tmp_path / "m.csv").write_text(f"{HEADER}\nA,a.wav,1,D,Núñez, José,2026-11-20\nB,b.wav,1,D,T,2026-11-20\n")
    first, second = discover_calls(tmp_path, tmp_path / "m.csv")
    assert "line 2" in first.problem and "7 values" in first.problem and "quote" in first.problem
    assert second.problem == ""


@pytest.mark.parametrize("separator", [",", ";"])
def test_excel_sep_line_sets_the_separator_and_line_numbers_stay_true(tmp_path, separator):
    rows = [f"sep={separator}", HEADER.replace(",", separator), separator.join(["A", "a.wav", "1", "D", "T", "2026-11-20"]),
            separator.join(["", "b.wav", "1", "D", "T", "2026-11-20"])]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    first, second = discover_calls(tmp_path, tmp_path / "m.csv")
    assert (first.call_id, first.agent_name, first.problem) == ("A", "D", "")
    assert second.call_id == "line4" and "line 4" in second.problem


def test_a_semicolon_separated_manifest_is_read(tmp_path):
    (tmp_path / "m.csv").write_text(HEADER.replace(",", ";") + "\nA;a.wav;1;Dana;Tim;2026-11-20\n")
    (spec,) = discover_calls(tmp_path, tmp_path / "m.csv")
    assert (spec.call_id, spec.agent_name, spec.recorded_at) == ("A", "Dana", "2026-11-20")


def test_a_bad_agent_channel_fails_its_row_not_the_night(tmp_path):
    (tmp_path / "m.csv").write_text(f"{HEADER},agent_channel\nA,a.wav,1,D,T,2026-11-20,left\nB,b.wav,1,D,T,2026-11-20,1\n")
    first, second = discover_calls(tmp_path, tmp_path / "m.csv")
    assert "agent_channel" in first.problem and "'left'" in first.problem
    assert (second.problem, second.agent_channel) == ("", 1)
