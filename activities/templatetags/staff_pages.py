"""Template helpers of the staff pages: safe external links, metadata cells, the month chart."""

import json
from urllib.parse import urlsplit

from django import template

register = template.Library()

LINK_SCHEMES = {"http", "https"}

CHART_BAR_WIDTH = 12
CHART_BAR_GAP = 3
CHART_HEIGHT = 60
CHART_LABEL_HEIGHT = 16


@register.filter
def web_url(value) -> str:
    """Return ``value`` when it is an absolute http or https URL, otherwise an empty string.

    Entity URLs come from integrations and the admin, so a ``javascript:`` or ``data:`` URL
    must never reach an ``href``.
    """
    if not isinstance(value, str):
        return ""
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        return ""
    return url


@register.filter
def metadata_text(value) -> str:
    """Return a metadata value as text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.inclusion_tag("activities/month_chart.html")
def month_chart(months):
    """Draw activities per month as an SVG bar chart, scaled to the busiest month."""
    peak = max((month.count for month in months), default=0)
    bars = []
    for index, month in enumerate(months):
        height = round(CHART_HEIGHT * month.count / peak) if peak else 0
        if month.count and height < 2:
            height = 2
        bars.append(
            {
                "month": month.month,
                "count": month.count,
                "x": index * (CHART_BAR_WIDTH + CHART_BAR_GAP),
                "y": CHART_HEIGHT - height,
                "height": height,
            }
        )
    width = len(months) * (CHART_BAR_WIDTH + CHART_BAR_GAP) - CHART_BAR_GAP
    return {
        "bars": bars,
        "peak": peak,
        "total": sum(month.count for month in months),
        "first": months[0].month if months else None,
        "last": months[-1].month if months else None,
        "bar_width": CHART_BAR_WIDTH,
        "width": max(width, 0),
        "chart_height": CHART_HEIGHT,
        "height": CHART_HEIGHT + CHART_LABEL_HEIGHT,
        "label_y": CHART_HEIGHT + CHART_LABEL_HEIGHT - 3,
    }
