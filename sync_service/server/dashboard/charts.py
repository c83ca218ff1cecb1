"""Charts drawn on the server as inline SVG: no script, nothing fetched, prints as it shows.

Every piece is a ``Markup`` template filled with ``format``, which escapes each value, so a
chart is as safe as the rest of the page under the content security policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup

WIDTH, HEIGHT = 880, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 30
BAR = "#0b6e4f"
GRID = "#d9dee6"
INK = "#5b6575"
COLOURS = ("#0b6e4f", "#2f6fb0", "#c77d1a", "#7a4bb5", "#a4161a", "#5b6575")
_OPEN = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
    'aria-label="{label}"><title>{label}</title>'
)
_CLOSE = Markup("</svg>")


def _nice_top(largest: Decimal) -> Decimal:
    """A round number at or above ``largest`` for the top of the axis."""
    if largest <= 0:
        return Decimal(1)
    step = Decimal(1)
    while step * 10 <= largest:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= largest:
            return step * factor
    return step * 10


def hour_bars(amounts: Sequence[Decimal], *, label: str) -> Markup:
    """24 bars, one per hour of the Singapore day; ``label`` titles the chart for readers."""
    top = _nice_top(max(amounts, default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / 24
    parts = [_OPEN.format(w=WIDTH, h=HEIGHT, label=label)]
    for i in range(5):
        y = f"{TOP + plot_h - plot_h * i / 4:.1f}"
        parts.append(
            Markup(
                '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{grid}"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end" font-size="11" fill="{ink}">'
                "{value}</text>"
            ).format(
                x1=LEFT,
                x2=WIDTH - RIGHT,
                y=y,
                grid=GRID,
                tx=LEFT - 6,
                ty=f"{float(y) + 4:.1f}",
                ink=INK,
                value=f"{top * i / 4:,.0f}",
            )
        )
    for hour, amount in enumerate(amounts):
        height = float(amount / top) * plot_h
        parts.append(
            Markup(
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}">'
                "<title>{title}</title></rect>"
            ).format(
                x=f"{LEFT + hour * slot + slot * 0.15:.1f}",
                y=f"{TOP + plot_h - height:.1f}",
                w=f"{slot * 0.7:.1f}",
                h=f"{height:.1f}",
                fill=BAR,
                title=f"{hour:02d}:00 ${amount:,.2f}",
            )
        )
        if hour % 2 == 0:
            parts.append(
                Markup(
                    '<text x="{x}" y="{y}" text-anchor="middle" font-size="11" fill="{ink}">'
                    "{hour}</text>"
                ).format(
                    x=f"{LEFT + hour * slot + slot / 2:.1f}",
                    y=HEIGHT - 10,
                    ink=INK,
                    hour=f"{hour:02d}",
                )
            )
    parts.append(_CLOSE)
    return Markup("").join(parts)


def share_bar(shares: Sequence[tuple[str, Decimal]], *, label: str) -> Markup:
    """One horizontal bar split by share (the tender mix), with a legend under it."""
    total = sum((amount for _, amount in shares if amount > 0), Decimal(0))
    parts = [_OPEN.format(w=WIDTH, h=64, label=label)]
    x = 0.0
    for i, (name, amount) in enumerate(shares):
        if amount <= 0 or not total:
            continue
        w = float(amount / total) * WIDTH
        colour = COLOURS[i % len(COLOURS)]
        parts.append(
            Markup(
                '<rect x="{x}" y="0" width="{w}" height="26" fill="{fill}">'
                "<title>{title}</title></rect>"
                '<rect x="{lx}" y="40" width="12" height="12" fill="{fill}"/>'
                '<text x="{tx}" y="51" font-size="12" fill="{ink}">{legend}</text>'
            ).format(
                x=f"{x:.1f}",
                w=f"{w:.1f}",
                fill=colour,
                title=f"{name} ${amount:,.2f}",
                lx=140 * i,
                tx=140 * i + 18,
                ink=INK,
                legend=f"{name} {amount * 100 / total:.0f}%",
            )
        )
        x += w
    parts.append(_CLOSE)
    return Markup("").join(parts)


def trend_lines(
    series: Sequence[tuple[str, Sequence[Decimal]]], ticks: Sequence[str], *, label: str
) -> Markup:
    """One line per series over the same days (the first drawn boldest), with a legend;
    ``ticks`` names each day for the axis (about eight are written)."""
    days = max((len(values) for _, values in series), default=0)
    largest = max((max(values, default=Decimal(0)) for _, values in series), default=Decimal(0))
    top = _nice_top(largest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM - 20
    step = plot_w / max(days - 1, 1)
    parts = [_OPEN.format(w=WIDTH, h=HEIGHT, label=label)]
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            Markup(
                '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{grid}"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end" font-size="11" fill="{ink}">'
                "{value}</text>"
            ).format(
                x1=LEFT,
                x2=WIDTH - RIGHT,
                y=f"{y:.1f}",
                grid=GRID,
                tx=LEFT - 6,
                ty=f"{y + 4:.1f}",
                ink=INK,
                value=f"{top * i / 4:,.0f}",
            )
        )
    every = max(1, -(-days // 8))
    for i, tick in enumerate(ticks[:days]):
        if i % every == 0:
            parts.append(
                Markup(
                    '<text x="{x}" y="{y}" text-anchor="middle" font-size="11" fill="{ink}">'
                    "{tick}</text>"
                ).format(x=f"{LEFT + i * step:.1f}", y=TOP + plot_h + 16, ink=INK, tick=tick)
            )
    for n, (name, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(
            f"{LEFT + i * step:.1f},{TOP + plot_h - float(v / top) * plot_h:.1f}"
            for i, v in enumerate(values)
        )
        dash = "" if n == 0 else "5 4"
        parts.append(
            Markup(
                '<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{w}" '
                'stroke-dasharray="{dash}"><title>{name}</title></polyline>'
                '<rect x="{lx}" y="{ly}" width="12" height="3" fill="{colour}"/>'
                '<text x="{tx}" y="{ty}" font-size="12" fill="{ink}">{name}</text>'
            ).format(
                points=points,
                colour=colour,
                w=2.5 if n == 0 else 1.5,
                dash=dash,
                name=name,
                lx=LEFT + 150 * n,
                ly=HEIGHT - 12,
                tx=LEFT + 150 * n + 18,
                ty=HEIGHT - 7,
                ink=INK,
            )
        )
        if len(values) == 1:  # a single day: a dot, since a line needs two
            parts.append(
                Markup('<circle cx="{x}" cy="{y}" r="4" fill="{colour}"/>').format(
                    x=LEFT,
                    y=f"{TOP + plot_h - float(values[0] / top) * plot_h:.1f}",
                    colour=colour,
                )
            )
    parts.append(_CLOSE)
    return Markup("").join(parts)
