"""Two maximized objectives: the non-dominated front, its hypervolume, and the exact expected
hypervolume improvement (EHVI) of a new point with independent Gaussian objectives.

EHVI in two dimensions (maximization, reference r): sort the front by the first objective,
a_1 < … < a_k (so b_1 > … > b_k). A point y improves the region z1 ∈ (a_{i−1}, a_i], z2 > b_i
(a_0 = r1, a_{k+1} = ∞, b_{k+1} = r2), so

    HVI(y) = Σ_i (min(a_i, y1) − a_{i−1})⁺ · (y2 − b_i)⁺

and with y1, y2 independent, E[HVI] = Σ_i (ψ1(a_{i−1}) − ψ1(a_i)) · ψ2(b_i), ψ(c) = E[(y − c)⁺] =
σ (φ(z) + z Φ(z)), z = (μ − c)/σ (the expected-improvement formula). Exact, O(k) per candidate.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

LOG_2PI = math.log(2.0 * math.pi)


def front(points: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of ``points`` (n × 2, both maximized), by the first objective descending."""
    points = np.asarray(points, dtype=float)
    if len(points) == 0:
        return np.zeros(0, dtype=int)
    order = np.lexsort((-points[:, 1], -points[:, 0]))
    kept, best = [], -math.inf
    for i in order:
        if points[i, 1] > best:
            kept.append(i)
            best = points[i, 1]
    return np.array(kept, dtype=int)


def hypervolume(points: np.ndarray, reference: tuple[float, float]) -> float:
    """Area dominated by ``points`` (both maximized) and dominating ``reference``."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    points = points[(points[:, 0] > reference[0]) & (points[:, 1] > reference[1])]
    if len(points) == 0:
        return 0.0
    area, previous = 0.0, reference[1]
    ordered = points[front(points)]  # first objective descending, second ascending
    for x, y in ordered:
        area += (x - reference[0]) * (y - previous)
        previous = y
    return float(area)


def _psi(mean: np.ndarray, sd: np.ndarray, c: float) -> np.ndarray:
    """E[(y − c)⁺] for y ~ N(mean, sd²)."""
    if c == math.inf:
        return np.zeros_like(mean)
    z = (mean - c) / sd
    return sd * (np.exp(-0.5 * z * z - 0.5 * LOG_2PI) + z * ndtr(z))


def expected_improvement(mean: np.ndarray, sd: np.ndarray, points: np.ndarray, reference: tuple[float, float]) -> np.ndarray:
    """Exact EHVI of candidates with independent Gaussian objectives (``mean``, ``sd``: n × 2) over ``points``' front."""
    mean, sd = np.asarray(mean, dtype=float), np.maximum(np.asarray(sd, dtype=float), 1e-12)
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    points = points[(points[:, 0] > reference[0]) & (points[:, 1] > reference[1])]
    ordered = points[front(points)][::-1] if len(points) else points  # first objective ascending
    lower = [reference[0]] + [float(x) for x in ordered[:, 0]]
    upper = [float(x) for x in ordered[:, 0]] + [math.inf]
    heights = [float(y) for y in ordered[:, 1]] + [reference[1]]
    m1, s1, m2, s2 = mean[:, 0], sd[:, 0], mean[:, 1], sd[:, 1]
    total = np.zeros(len(mean))
    for lo, hi, b in zip(lower, upper, heights):
        total += (_psi(m1, s1, lo) - _psi(m1, s1, hi)) * _psi(m2, s2, b)
    return total


def greedy_subset(points: np.ndarray, reference: tuple[float, float], size: int) -> list[int]:
    """At most ``size`` rows of ``points`` picked one by one for the largest hypervolume (all when fewer)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(points) <= size:
        return list(range(len(points)))
    chosen: list[int] = []
    for _ in range(size):
        best, gain = None, -1.0
        base = hypervolume(points[chosen], reference) if chosen else 0.0
        for i in range(len(points)):
            if i in chosen:
                continue
            value = hypervolume(points[chosen + [i]], reference) - base
            if value > gain:
                best, gain = i, value
        chosen.append(best)
    return sorted(chosen)
