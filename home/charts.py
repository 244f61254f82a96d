"""Small charts drawn on the server as SVG: the programme's weekly activity and each pair's sparkline.

No script and no chart service: the numbers are laid out here, the SVG is
written by templates (``home/includes/weekly_chart.html``), with a title, a
description and a table of the same figures for whoever cannot see it.
"""

import datetime
from dataclasses import dataclass

WEEKS = 13  # a quarter


def week_starts(today: datetime.date, weeks: int = WEEKS) -> list[datetime.date]:
    """The Mondays of the last ``weeks`` weeks, oldest first, this week last."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    return [this_monday - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]
    css_class: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass(frozen=True)
class WeeklyChart:
    """Grouped bars, one group per week; coordinates in a ``WIDTH`` by ``HEIGHT`` view box."""

    weeks: list[datetime.date]
    series: list[Series]
    WIDTH = 640
    HEIGHT = 200
    PADDING = 24

    @property
    def peak(self) -> int:
        return max([1, *(value for series in self.series for value in series.values)])

    def bars(self) -> list[tuple[Series, list[Bar]]]:
        group = (self.WIDTH - 2 * self.PADDING) / len(self.weeks)
        width = group * 0.8 / len(self.series)
        usable = self.HEIGHT - 2 * self.PADDING
        drawn = []
        for n, series in enumerate(self.series):
            bars = []
            for week, value in enumerate(series.values):
                height = usable * value / self.peak
                x = self.PADDING + week * group + group * 0.1 + n * width
                bars.append(
                    Bar(
                        round(x, 1),
                        round(self.HEIGHT - self.PADDING - height, 1),
                        round(width, 1),
                        round(height, 1),
                        value,
                    )
                )
            drawn.append((series, bars))
        return drawn

    def rows(self) -> list[tuple[datetime.date, list[int]]]:
        """The table fallback: each week with every series' value."""
        return [(week, [series.values[n] for series in self.series]) for n, week in enumerate(self.weeks)]

    @property
    def totals(self) -> list[tuple[str, int]]:
        return [(series.label, sum(series.values)) for series in self.series]


def sparkline_points(values: list[int], *, width: int = 104, height: int = 24) -> str:
    """``points`` of an SVG polyline through ``values``, scaled to the box."""
    if not values:
        return ""
    peak = max(values) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{round(n * step, 1)},{round(height - 2 - (height - 4) * value / peak, 1)}"
        for n, value in enumerate(values)
    )
