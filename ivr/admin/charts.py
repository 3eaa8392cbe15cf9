"""Bar charts drawn on the server as SVG: no script and nothing fetched from elsewhere.

Each chart is an image with a title for screen readers; the page shows the same numbers in a
table beside it. Masked counts (1-4) get no bar, only the text "< 5".
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..stats import MASK_BELOW, masked

ROW = 22
LABEL_WIDTH = 170
BAR_WIDTH = 360
VALUE_WIDTH = 50


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, int]]) -> Markup:
    """Horizontal bars, one per row (label, count), scaled to the largest count."""
    largest = max((n for _, n in rows if n >= MASK_BELOW), default=0)
    height = ROW * max(len(rows), 1) + 4
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="{chart_id}-title" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">'
        ),
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (label, count) in enumerate(rows):
        y = index * ROW + 2
        shown = count if count >= MASK_BELOW else 0
        length = round(BAR_WIDTH * shown / largest) if largest else 0
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
        )
        if length:
            parts.append(
                f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" '
                f'height="{ROW - 6}"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 15}">{escape(masked(count))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
