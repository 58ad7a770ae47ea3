"""What-if results as SVG charts, an HTML report and a CSV of the interval series (Qt-free).

The charts are drawn here, as plain SVG text, so the command line's ``--report``
and the app's What-if view show the same pictures (the view renders these SVGs
with QtSvg) and no charting library is needed.
"""
from __future__ import annotations

import csv
import html
import io
import math
from typing import Any, Iterable, Mapping, Sequence

PALETTE = ("#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777",
           "#4b5563", "#65a30d")
FAMILY = "font-family='Segoe UI, Helvetica, Arial, sans-serif'"
FONT = FAMILY + " font-size='11'"
MAX_LINES = 10  # series drawn in one line chart (the busiest); the CSV has them all


def _fmt_time(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _label(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:g}" if value < 1000 else f"{value:,.0f}"


def line_chart(title: str, xs: Sequence[float], series: Mapping[str, Sequence[float | None]], *,
               width: int = 560, height: int = 260, percent: bool = False, y_max: float | None = None,
               target: float | None = None) -> str:
    """Lines over time (x in seconds, shown as h:mm); None values break a line."""
    left, right, top, bottom = 48, 12, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for ys in series.values() for v in ys if v is not None]
    top_value = y_max if y_max is not None else _nice_max(max(values, default=0))
    x_max = max(xs, default=1) or 1
    x_min = 0.0

    def px(x: float) -> float:
        return left + (x - x_min) / (x_max - x_min) * plot_w

    def py(y: float) -> float:
        return top + plot_h - (y / top_value) * plot_h if top_value else top + plot_h

    out = [_open(width, height, title)]
    out.append(_axes(left, top, plot_w, plot_h, top_value, percent))
    for k in range(5):
        x = x_min + (x_max - x_min) * k / 4
        out.append(f"<text x='{px(x):.1f}' y='{top + plot_h + 16}' text-anchor='middle' {FONT} fill='#555'>"
                   f"{_fmt_time(x)}</text>")
    if target is not None:
        out.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{py(target):.1f}' y2='{py(target):.1f}' "
                   "stroke='#999' stroke-dasharray='4 3'/>")
    names = list(series)[:MAX_LINES]
    for index, name in enumerate(names):
        color = PALETTE[index % len(PALETTE)]
        path, pen_down = [], False
        for x, y in zip(xs, series[name]):
            if y is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{px(x):.1f},{py(min(y, top_value)):.1f}")
            pen_down = True
        if path:
            out.append(f"<path d='{' '.join(path)}' fill='none' stroke='{color}' stroke-width='2'/>")
    out.append(_legend(names, left, height - 10))
    if not values:
        out.append(_empty(width, height))
    out.append("</svg>")
    return "".join(out)


def bar_chart(title: str, bars: Sequence[tuple[str, float | None]], *, width: int = 560, height: int = 260,
              percent: bool = True) -> str:
    """Vertical bars, in the given order; names under the bars when they fit."""
    left, right, top, bottom = 48, 12, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in bars if v is not None]
    top_value = 1.0 if percent else _nice_max(max(values, default=0))
    out = [_open(width, height, title), _axes(left, top, plot_w, plot_h, top_value, percent)]
    count = max(len(bars), 1)
    slot = plot_w / count
    gap = min(slot * 0.2, 4)
    labels = slot >= 28
    for index, (name, value) in enumerate(bars):
        x = left + index * slot + gap / 2
        if value is not None:
            bar_h = min(value / top_value, 1) * plot_h
            out.append(f"<rect x='{x:.1f}' y='{top + plot_h - bar_h:.1f}' width='{max(slot - gap, 0.5):.1f}' "
                       f"height='{bar_h:.1f}' fill='{PALETTE[0]}'><title>{html.escape(name)}: "
                       f"{_label(value, percent)}</title></rect>")
        if labels:
            short = name if len(name) <= 8 else name[:7] + "…"
            out.append(f"<text x='{x + (slot - gap) / 2:.1f}' y='{top + plot_h + 14}' text-anchor='middle' "
                       f"{FONT} fill='#555'>{html.escape(short)}</text>")
    if not labels and bars:
        out.append(f"<text x='{left}' y='{top + plot_h + 16}' {FONT} fill='#555'>{len(bars)} agents, "
                   "busiest first</text>")
    if not values:
        out.append(_empty(width, height))
    out.append("</svg>")
    return "".join(out)


def _open(width: int, height: int, title: str) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}'><rect width='{width}' height='{height}' fill='white'/>"
            f"<text x='8' y='17' {FAMILY} font-size='13' font-weight='bold' fill='#222'>{html.escape(title)}</text>")


def _axes(left: int, top: int, plot_w: float, plot_h: float, top_value: float, percent: bool) -> str:
    parts = []
    for k in range(5):
        value = top_value * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(f"<line x1='{left}' x2='{left + plot_w:.1f}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e5e7eb'/>")
        parts.append(f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' {FONT} fill='#555'>"
                     f"{_label(value, percent)}</text>")
    parts.append(f"<line x1='{left}' x2='{left}' y1='{top}' y2='{top + plot_h:.1f}' stroke='#9ca3af'/>")
    return "".join(parts)


def _legend(names: Iterable[str], x: float, y: float) -> str:
    parts = []
    for index, name in enumerate(names):
        color = PALETTE[index % len(PALETTE)]
        parts.append(f"<rect x='{x:.1f}' y='{y - 8}' width='10' height='10' fill='{color}'/>"
                     f"<text x='{x + 14:.1f}' y='{y + 1}' {FONT} fill='#333'>{html.escape(name)}</text>")
        x += 24 + 6.5 * len(name)
    return "".join(parts)


def _empty(width: int, height: int) -> str:
    return (f"<text x='{width / 2}' y='{height / 2}' text-anchor='middle' {FONT} fill='#888'>"
            "no data</text>")


# --------------------------------------------------------------------------- the three charts

def waiting_chart(series: Mapping[str, Any], **size: int) -> str:
    busiest = sorted(series["waiting"], key=lambda q: -max((v or 0 for v in series["waiting"][q]), default=0))
    return line_chart("Conversations waiting per queue", series["interval_end_s"],
                      {name: series["waiting"][name] for name in busiest}, **size)


def service_level_chart(series: Mapping[str, Any], target: float | None = None, **size: int) -> str:
    return line_chart("Service level per interval", series["interval_end_s"],
                      {"service level": series["service_level"]}, percent=True, y_max=1.0, target=target, **size)


def occupancy_chart(figures: Mapping[str, Any], **size: int) -> str:
    rows = [(name, _plain(row.get("occupancy"))) for name, row in figures["agents"].items()]
    rows.sort(key=lambda item: (-(item[1] or 0), item[0]))
    return bar_chart("Occupancy per agent", rows, **size)


def charts(figures: Mapping[str, Any], series: Mapping[str, Any], **size: int) -> list[str]:
    return [waiting_chart(series, **size), service_level_chart(series, **size), occupancy_chart(figures, **size)]


def _plain(value: Any) -> float | None:
    """A figure's value: a mean when replicated."""
    return value["mean"] if isinstance(value, dict) else value


# --------------------------------------------------------------------------- HTML and CSV

KPI_ROWS = (("arrived", "Arrived"), ("answered", "Answered"), ("abandoned", "Abandoned"),
            ("waiting_at_end", "Waiting at the end"), ("service_level", "Service level"),
            ("asa_s", "Average speed of answer (s)"), ("wait_p90_s", "Wait, 90th percentile (s)"),
            ("abandon_rate", "Abandon rate"), ("aht_s", "Average handle time (s)"),
            ("occupancy", "Occupancy"), ("reoffers_per_conversation", "Re-offers per conversation"))
PERCENT = {"service_level", "abandon_rate", "occupancy", "capacity_used", "wait_probability"}
# document version 2: per skill (the conversations requiring it) and per queue's overflow action
SKILL_COLUMNS = ("arrived", "answered", "abandoned", "asa_s", "service_level")
OVERFLOW_COLUMNS = ("transfer", "end", "assign_anyway")
SECTION_TITLES = {"skills": "Skills (conversations requiring each)", "overflow": "Overflow (conversations per action)"}


def format_value(name: str, value: Any) -> str:
    if isinstance(value, dict):
        low, high = value.get("ci95", [None, None])
        text = format_value(name, value.get("mean"))
        if low is not None and high is not None:
            text += f" ({format_value(name, low)} – {format_value(name, high)})"
        return text
    if value is None:
        return "—"
    if name in PERCENT:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def _table(rows: Mapping[str, Mapping[str, Any]], columns: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ("", *columns))
    body = []
    for key, row in rows.items():
        cells = "".join(f"<td>{html.escape(format_value(c, row.get(c)))}</td>" for c in columns)
        body.append(f"<tr><th>{html.escape(key)}</th>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def html_report(title: str, runs: Sequence[tuple[str, Mapping[str, Any], Mapping[str, Any]]],
                delta: Mapping[str, Any] | None = None) -> str:
    """One page: the KPIs of each run side by side, the charts, every table; self-contained."""
    labels = [label for label, _, _ in runs]
    kpi = {text: {label: figures["totals"].get(name) for label, figures, _ in runs} for name, text in KPI_ROWS}
    kpi_rows = []
    for (name, text) in KPI_ROWS:
        cells = "".join(f"<td>{html.escape(format_value(name, kpi[text][label]))}</td>" for label in labels)
        if delta is not None:
            cells += f"<td>{html.escape(format_value(name, delta['totals'].get(name)))}</td>"
        kpi_rows.append(f"<tr><th>{html.escape(text)}</th>{cells}</tr>")
    head = "".join(f"<th>{html.escape(label)}</th>" for label in labels) + ("<th>Δ (B − A)</th>" if delta else "")
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>"
             "body{font-family:'Segoe UI',Helvetica,Arial,sans-serif;margin:24px;color:#222}"
             "table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #ddd;padding:4px 8px;"
             "text-align:right}th{background:#f5f5f5}tbody th{text-align:left}.runs{display:flex;gap:24px;"
             "flex-wrap:wrap}.run{flex:1 1 560px}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(kpi_rows)}</tbody></table>",
             "<div class='runs'>"]
    for label, figures, series in runs:
        parts.append(f"<div class='run'><h2>{html.escape(label)}</h2>")
        parts += [f"<div>{svg}</div>" for svg in charts(figures, series)]
        parts.append("</div>")
    parts.append("</div>")
    for label, figures, _series in runs:
        parts.append(f"<h2>{html.escape(label)}: details</h2>")
        for section, columns in (("workstreams", ("arrived", "answered", "abandoned", "service_level", "asa_s",
                                                  "wait_p90_s", "aht_s")),
                                 ("queues", ("arrived", "answered", "abandoned", "service_level", "asa_s",
                                             "wait_p90_s", "aht_s")),
                                 ("agents", ("answered", "aht_s", "offers", "accepted", "declined", "expired",
                                             "occupancy", "capacity_used")),
                                 ("skills", SKILL_COLUMNS),
                                 ("overflow", OVERFLOW_COLUMNS)):
            rows = figures.get(section) or {}
            if section in SECTION_TITLES and not rows:
                continue  # a configuration without skills or overflow rules: no empty table
            parts.append(f"<h3>{SECTION_TITLES.get(section, section.capitalize())}</h3>{_table(rows, columns)}")
    parts.append("</body></html>")
    return "".join(parts)


def series_csv(runs: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Long format: run, interval_end_s, series, name, value (one row per figure per interval)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["run", "interval_end_s", "series", "name", "value"])
    for label, series in runs:
        for index, end in enumerate(series["interval_end_s"]):
            writer.writerow([label, _num(end), "arrived", "", series["arrived"][index]])
            writer.writerow([label, _num(end), "service_level", "", _num(series["service_level"][index])])
            for name, values in series["waiting"].items():
                writer.writerow([label, _num(end), "waiting", name, _num(values[index])])
            for name, values in series["occupancy"].items():
                writer.writerow([label, _num(end), "occupancy", name, _num(values[index])])
    return buffer.getvalue()


def _num(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        value = round(value, 6)
        return int(value) if value.is_integer() else value
    return value


__all__ = ["bar_chart", "charts", "format_value", "html_report", "line_chart", "occupancy_chart",
           "series_csv", "service_level_chart", "waiting_chart"]
