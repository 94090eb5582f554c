"""The notebooks run top to bottom (small settings: HALLPLAN_NB_REPS=2), and every chart cell
shows its chart: the cell's output holds a PNG image (no backend is forced, so what the test
sees is what a planner sees in Jupyter)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# a cell that calls one of the report figure builders (waits_figure, kpi_heatmap, …)
CHART_CALL = re.compile(r"\b\w*(figure|heatmap)\(")


def chart_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and CHART_CALL.search(c.source)]


def has_image(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def test_the_chart_cell_rule_sees_the_charts():
    """The rule finds chart cells where there are charts (so the image check cannot pass by
    finding none)."""
    found = {p.name: len(chart_cells(nbformat.read(p, as_version=4))) for p in NOTEBOOKS}
    assert sum(found.values()) >= 3, found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path, monkeypatch):
    monkeypatch.setenv("HALLPLAN_NB_REPS", "2")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
    blank = [c.source.splitlines()[-1] for c in chart_cells(nb) if not has_image(c)]
    assert not blank, f"chart cells without an image output: {blank}"
    assert os.environ["HALLPLAN_NB_REPS"] == "2"
