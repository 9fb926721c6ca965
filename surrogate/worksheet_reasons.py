"""Why a recipe is in a batch, in numbers a coater can weigh: its expected improvement over the best cell so
far, its distance to the nearest tested cell, and whether it is there to exploit, explore or replicate.

Computed from what a proposal already carries (median and 90 % interval of the predicted lifetime), not by
refitting: the predictive distribution of ln lifetime is read as normal with that median and interval.
"""

from __future__ import annotations

import math

import numpy as np

from interlayer.models.recipe import Recipe

from .space import CONTINUOUS_FEATURES, recipe_features

# z of the 95th percentile: a 90 % interval spans ±1.645 σ of ln lifetime
Z90 = 1.6448536269514722
# a proposal predicted at this share of the recommendation's median or more is there to exploit
EXPLOIT_SHARE = 0.8


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def expected_improvement_h(median_h: float, interval_h: tuple[float, float], best_h: float | None) -> float | None:
    """E[max(T − best, 0)] in hours for a lognormal lifetime T with this median and 90 % interval.

    ln T ~ N(μ, σ²), μ = ln median, σ = (ln high − ln low) / (2 · 1.645);
    E[(T − b)+] = e^(μ + σ²/2) Φ(d + σ) − b Φ(d), d = (μ − ln b) / σ.
    """
    if best_h is None or best_h <= 0:
        return None
    mu = math.log(median_h)
    sigma = (math.log(interval_h[1]) - math.log(interval_h[0])) / (2.0 * Z90)
    if sigma <= 0:
        return max(median_h - best_h, 0.0)
    d = (mu - math.log(best_h)) / sigma
    return math.exp(mu + sigma ** 2 / 2.0) * _normal_cdf(d + sigma) - best_h * _normal_cdf(d)


def nearest_tested(recipes: list[Recipe], tested: list[Recipe]) -> list[tuple[Recipe | None, float | None]]:
    """For each recipe, the nearest *other* tested recipe (the same recipe counts only when it is all that
    was tested) and their distance in the surrogate's continuous features (log thickness, log unit period,
    inorganic fraction, each scaled to about [0, 1]): 0 is the same film."""
    unique = list(dict.fromkeys(tested))
    if not unique:
        return [(None, None)] * len(recipes)
    features = recipe_features([*recipes, *unique])[:, :CONTINUOUS_FEATURES]
    # |a − b| for every (recipe, tested) pair at once: a page asks this of hundreds of cells per request
    distances = np.linalg.norm(features[:len(recipes), None, :] - features[None, len(recipes):, :], axis=2)
    out = []
    for row, recipe in zip(distances, recipes):
        others = np.where(np.array([t != recipe for t in unique]) | (len(unique) == 1), row, np.inf)
        index = int(np.argmin(others))
        out.append((unique[index], float(others[index])))
    return out


def role(median_h: float, recommended_h: float, cells_of_recipe: int) -> str:
    """replicate (cells of it exist), exploit (predicted near the recommendation), or explore (there for
    what its uncertainty would teach the model)."""
    if cells_of_recipe:
        return "replicate"
    return "exploit" if median_h >= EXPLOIT_SHARE * recommended_h else "explore"
