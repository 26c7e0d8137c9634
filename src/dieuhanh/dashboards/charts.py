"""Plotly figure specifications (plain JSON), drawn in the browser by the locally served plotly.js.

Numbers follow the page's language: layout.separators ",." in Vietnamese (21,8), ".," in English.
"""

from __future__ import annotations

import json
from typing import Any

from dieuhanh.dashboards.selectors import ChildValue, Tile
from dieuhanh.indicators.models import IndicatorDefinition

FONT = {"family": "Noto Sans, DejaVu Sans, sans-serif", "size": 13}
STATUS_COLOURS = {"met": "#1e7b34", "not_met": "#b3261e"}
SCALE = [[0, "#fbe9e7"], [0.5, "#f6c36b"], [1, "#1e7b34"]]


def js(spec: dict[str, Any]) -> str:
    """JSON for a <script type="application/json"> element: no "</script>" can close it early."""
    return json.dumps(spec, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def _layout(lang: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "separators": ".," if lang == "en" else ",.",
        "font": FONT,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 30},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    layout.update(extra)
    return layout


def sparkline(tile: Tile, lang: str) -> dict[str, Any]:
    xs = [k for k, _ in tile.trend]
    ys = [v for _, v in tile.trend]
    data: list[dict[str, Any]] = [{"type": "scatter", "mode": "lines+markers", "x": xs, "y": ys,
                                   "line": {"color": "#0b5cab", "width": 2}, "marker": {"size": 4},
                                   "hovertemplate": "%{x}: %{y}<extra></extra>", "connectgaps": False}]  # fmt: skip
    if tile.target is not None:
        data.append({"type": "scatter", "mode": "lines", "x": [xs[0], xs[-1]], "y": [tile.target, tile.target],
                     "line": {"color": "#b26a00", "width": 1, "dash": "dot"}, "hoverinfo": "skip"})  # fmt: skip
    return {
        "data": data,
        "layout": _layout(lang, height=70, showlegend=False, margin={"l": 0, "r": 0, "t": 4, "b": 0},
                          xaxis={"visible": False, "type": "category"}, yaxis={"visible": False}),
    }  # fmt: skip


def trend(tile: Tile, lang: str, height: int = 260) -> dict[str, Any]:
    spec = sparkline(tile, lang)
    spec["layout"] = _layout(lang, height=height, showlegend=False,
                             xaxis={"type": "category", "tickangle": -45}, yaxis={"rangemode": "tozero"})  # fmt: skip
    return spec


def ranking(definition: IndicatorDefinition, children: list[ChildValue], lang: str, links: dict[str, str],
            limit: int = 12, dark: bool = False) -> dict[str, Any]:  # fmt: skip
    """A horizontal bar chart of the children, best on top (the list is already sorted best first)."""
    shown = [c for c in children if c.value is not None][:limit]
    shown.reverse()
    return {
        "data": [{
            "type": "bar", "orientation": "h", "x": [c.value for c in shown], "y": [c.unit.name for c in shown],
            "customdata": [c.unit.code for c in shown], "text": [c.display for c in shown], "textposition": "auto",
            "marker": {"color": [STATUS_COLOURS.get(c.status, "#0b5cab") for c in shown]},
            "hovertemplate": "%{y}: %{text}<extra></extra>",
        }],
        "layout": _layout(lang, height=max(160, 26 * len(shown) + 40), margin={"l": 190, "r": 10, "t": 6, "b": 24},
                          yaxis={"automargin": True}, font=FONT | {"color": "#c8d4e3" if dark else "#1b2430"}),
        "links": links,
    }  # fmt: skip


def choropleth(definition: IndicatorDefinition, children: list[ChildValue], geojson_url: str, lang: str,
               links: dict[str, str], dark: bool = False) -> dict[str, Any]:  # fmt: skip
    """Child units coloured by the indicator, on their own boundaries: no base map, no tiles."""
    with_value = [c for c in children if c.value is not None]
    return {
        "data": [{
            "type": "choropleth", "geojson": geojson_url, "featureidkey": "properties.code",
            "locations": [c.unit.code for c in with_value], "z": [c.value for c in with_value],
            "text": [f"{c.unit.name}: {c.display}" for c in with_value], "hoverinfo": "text",
            "colorscale": SCALE if definition.direction != "lower_is_better" else list(reversed(SCALE)),
            "marker": {"line": {"color": "#ffffff" if not dark else "#102a43", "width": 0.5}},
            "colorbar": {"thickness": 10, "len": 0.6},
        }, {
            # Units without a figure, drawn grey so the map has no holes.
            "type": "choropleth", "geojson": geojson_url, "featureidkey": "properties.code",
            "locations": [c.unit.code for c in children if c.value is None],
            "z": [0 for c in children if c.value is None], "showscale": False, "hoverinfo": "text",
            "text": [f"{c.unit.name}: —" for c in children if c.value is None],
            "colorscale": [[0, "#d0d7de"], [1, "#d0d7de"]],
            "marker": {"line": {"color": "#ffffff", "width": 0.5}},
        }],
        "layout": _layout(lang, height=460, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                          font=FONT | {"color": "#c8d4e3" if dark else "#1b2430"},
                          geo={"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"},
                               "bgcolor": "rgba(0,0,0,0)"}),
        "links": links,
    }  # fmt: skip
