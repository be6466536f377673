"""The per-agent report as one self-contained HTML page (Jinja2, autoescaped; charts as inline SVG;
no scripts, styles or fonts from anywhere else)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .review import template_environment

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
CHART_W, CHART_H, MARGIN = 640, 240, 40
MAX_CHART_AGENTS = len(PALETTE)  # more lines than colours are unreadable: the chart shows the lowest means


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    points: str  # "x,y x,y …" for an SVG polyline


def _lines(nightly: pd.DataFrame, agents: list[str]) -> tuple[list[Line], list[tuple[float, str]]]:
    """Polylines of each agent's mean total per night, on a 0-100 scale; and the x-axis ticks."""
    nights = sorted(nightly["night"].unique())
    x_of = {night: MARGIN + (CHART_W - 2 * MARGIN) * (i / max(1, len(nights) - 1)) for i, night in enumerate(nights)}
    lines = []
    for colour, agent in zip(PALETTE, agents):
        own = nightly[nightly["agent"] == agent]
        coordinates = " ".join(f"{x_of[n]:.1f},{CHART_H - MARGIN - (CHART_H - 2 * MARGIN) * t / 100:.1f}"
                               for n, t in zip(own["night"], own["mean_total"]) if pd.notna(t))
        lines.append(Line(agent, colour, coordinates))
    step = max(1, len(nights) // 8)
    return lines, [(x_of[n], pd.Timestamp(n).strftime("%m-%d")) for n in nights[::step]]


def render_agent_page(table: pd.DataFrame, nightly: pd.DataFrame, passes: pd.DataFrame, *, period: str, title: str) -> str:
    worst_first = table.sort_values("mean_total", kind="stable")["agent"].tolist()[:MAX_CHART_AGENTS]
    lines, ticks = _lines(nightly, worst_first)
    environment = template_environment()
    columns = [c for c in table.columns if not c.startswith("pass_rate_")]
    return environment.get_template("agents.html.j2").render(
        title=title, period=period, columns=columns, rows=table[columns].to_dict("records"), lines=lines, ticks=ticks,
        passes=passes.to_dict("records"), width=CHART_W, height=CHART_H, margin=MARGIN, shown=len(lines), agents=len(table),
    )
