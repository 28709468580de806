"""Charts drawn on the server as inline SVG (no script, nothing the Content-Security-Policy forbids): the bar's
length is an SVG attribute, not a style."""

from decimal import Decimal

from django import template

register = template.Library()


def _scaled(value, largest) -> str:
    if not largest or not value:
        return "0"
    return f"{Decimal(value) * 100 / Decimal(largest):.2f}"


@register.inclusion_tag("monitoring/_bars.html")
def bar_chart(bars, measure="count", amounts=False, caption=""):
    """A table of label, bar, count (and amount): bars are scaled to the largest of `measure`."""
    values = [(bar.amount or 0) if measure == "amount" else bar.count for bar in bars]
    largest = max(values, default=0)
    rows = [(bar, _scaled(value, largest)) for bar, value in zip(bars, values, strict=True)]
    return {"rows": rows, "amounts": amounts, "caption": caption, "measure": measure}


@register.inclusion_tag("monitoring/_columns.html")
def column_chart(bars, caption="", height=80):
    """Vertical columns (requests per minute, growth per day): one column per bar, oldest on the left."""
    largest = max((bar.count for bar in bars), default=0)
    width = 10
    columns = []
    for index, bar in enumerate(bars):
        scaled = round(bar.count * height / largest) if largest else 0
        columns.append({"x": index * width, "y": height - scaled, "height": scaled, "bar": bar})
    return {
        "columns": columns,
        "caption": caption,
        "view_width": max(len(bars), 1) * width,
        "view_height": height,
        "largest": largest,
        "bar_width": width - 2,
    }


@register.filter
def file_size(value) -> str:
    """Bytes in the units people read: 1,5 MB rather than 1572864."""
    size = float(value or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} TB"


@register.filter
def yes_no_none(value) -> str:
    return {True: "yes", False: "no", None: "none"}[value]
