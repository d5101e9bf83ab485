"""Small statistics for the figures: medians and spreads, never a single sample.

Medians because the figures are latencies on a shared 2-core machine, where a few slow outliers (a GC
pause, the scheduler) say nothing about the code; p10/p90 are kept next to them so the spread stays visible.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """The distribution of one latency figure, in milliseconds."""

    n: int
    median: float
    p10: float
    p90: float
    p99: float  # the tail the scale figures report; with fewer than 100 samples, close to the maximum
    minimum: float
    maximum: float

    def row(self) -> str:
        """``median (p10–p90, n=...)`` for a table cell."""
        return f"{self.median:.2f} ms (p10 {self.p10:.2f}, p90 {self.p90:.2f}, n={self.n})"


def summarize(values_ms: Sequence[float]) -> Summary:
    if not values_ms:
        raise ValueError("no samples")
    if len(values_ms) >= 2:
        percentiles = statistics.quantiles(values_ms, n=100, method="inclusive")
        p10, p90, p99 = percentiles[9], percentiles[89], percentiles[98]
    else:
        p10 = p90 = p99 = values_ms[0]
    return Summary(len(values_ms), statistics.median(values_ms), p10, p90, p99, min(values_ms), max(values_ms))


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, None when the denominator is zero (e.g. 0 Secrets Manager calls)."""
    return numerator / denominator if denominator else None
