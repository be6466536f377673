"""notebooks/ is executed, so that it cannot rot: against a store built in code."""
import nbformat
from nbclient import NotebookClient

from pipeline.reports.store import Store, result_documents

from .conftest import ROOT, result_document, write_night


def test_the_store_notebook_runs_and_shows_every_agent(tmp_path, monkeypatch):
    night = write_night(tmp_path / "night", [result_document(f"c{agent}{k}", agent, f"2026-11-{18 + k}T10:00:00", acknowledged=k % 2)
                                             for agent in ("A1", "A2") for k in range(3)])
    with Store.open(tmp_path / "store.duckdb") as store:
        store.add(result_documents([night]))
    monkeypatch.setenv("CALLQA_STORE", str(tmp_path / "store.duckdb"))
    notebook = nbformat.read(ROOT / "notebooks" / "store_overview.ipynb", as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = "".join(str(output.get("data", output.get("text", ""))) for cell in notebook.cells if cell.cell_type == "code"
                      for output in cell.outputs)
    assert "A1" in outputs and "A2" in outputs and "2026-11-18 to 2026-11-20" in outputs
    assert not any(output.output_type == "error" for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)
