"""The recommendation: the model's best recipe and an honest account of it, as a function of a Fit.

The best recipe is the one with the highest posterior mean, measured or not (the lab asks what to make,
not which cell was luckiest); for a Pareto pair the predicted Pareto set; under a constraint the best
recipe predicted to satisfy it with probability ≥ 0.9; never a recipe with P(feasible) < 0.5. Beside
it: a conservative pick (the highest 5th percentile), the probability of being best over joint
posterior draws, and the best observed cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interlayer.models.recipe import Recipe

from . import decisions
from .acquisition import CandidatePosterior
from .batch import CODE_VERSION
from .condition import Condition, ConditionError
from .fit import Z90, CampaignError, Fit

# Joint posterior draws for the probability of being best, over the most promising recipes.
BEST_DRAWS = 1000
BEST_CANDIDATES = 200


@dataclass
class BestObserved:
    """The longest-lived measured cell; ``censored`` means its lifetime is only a lower bound."""

    recipe: Recipe
    lifetime_h: float
    censored: bool

    def as_dict(self) -> dict[str, Any]:
        return {"recipe": str(self.recipe), "lifetime_h": self.lifetime_h, "censored": self.censored,
                "lower_bound": self.censored}


@dataclass
class Recommendation:
    """The recipe with the highest predicted median lifetime, and an honest account of it."""

    recipe: Recipe
    predicted_lifetime_h: float
    interval_h: tuple[float, float]
    probability_best: float
    conservative_recipe: Recipe
    conservative_lower_h: float
    best_observed: BestObserved | None
    data_fingerprint: str = ""
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    code_version: str = CODE_VERSION
    # beyond lifetime alone (absent from as_dict for a plain lifetime campaign at no condition):
    # the objective, the condition, P(feasible) and P(constraint) of the recipe, the overpotential
    # prediction, and for a Pareto pair the predicted set, each with both predictions and 90 % intervals
    extra: dict[str, Any] = field(default_factory=dict)
    pareto: list[dict[str, Any]] = field(default_factory=list)
    pareto_recipes: list[Recipe] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {"recipe": str(self.recipe), "ald_cycles": self.recipe.ald_cycles, "mld_cycles": self.recipe.mld_cycles,
               "supercycles": self.recipe.supercycles, "predicted_lifetime_h": self.predicted_lifetime_h,
               "interval_h": list(self.interval_h), "probability_best": self.probability_best,
               "conservative_recipe": str(self.conservative_recipe),
               "conservative_lower_h": self.conservative_lower_h,
               "best_observed": self.best_observed.as_dict() if self.best_observed else None,
               "data_fingerprint": self.data_fingerprint, "hyperparameters": self.hyperparameters,
               "code_version": self.code_version}
        out.update(self.extra)
        if self.pareto:
            out["pareto"] = [dict(entry) for entry in self.pareto]
        return out


def recommend(fit: Fit, seed: int, condition: Condition | dict | None = None) -> Recommendation:
    """The best predicted recipe, how sure the model is, a conservative pick and the best observed cell.

    ``condition`` asks for another test condition than the campaign's target.
    """
    try:
        condition = Condition.from_dict(condition)
    except ConditionError as error:
        raise CampaignError(str(error)) from None
    posterior, note = posterior_at(fit, condition)
    extras, objective = fit.extras, fit.inputs.objective
    allowed = decisions.allowed_to_recommend(extras, len(posterior.mean))
    sd = np.sqrt(posterior.var)
    extra: dict[str, Any] = {}
    pareto_rows: list[int] = []
    if objective.constraint is not None:
        best, sure = decisions.constrained_choice(posterior.mean, extras, allowed)
        extra["constraint"] = str(objective.constraint)
        extra["constraint_probability"] = float(extras.satisfied[best])
        extra["constraint_confident"] = sure
    elif objective.pareto:
        pareto_rows = decisions.pareto_choice(posterior.mean, extras, allowed)
        best = pareto_rows[0]
    else:
        best = int(np.argmax(np.where(allowed, posterior.mean, -np.inf)))
    # conservative: the highest 5th percentile of the median lifetime
    lower = np.where(allowed, posterior.mean - Z90 * sd, -np.inf)
    conservative = int(np.argmax(lower))
    _, winners = best_draws(fit, posterior, seed, best)
    probability = float(np.mean(winners == best))
    mean, var = float(posterior.mean[best]), float(posterior.var[best])
    extra.update(_extra(fit, best, condition, note))
    return Recommendation(fit.recipes[best], math.exp(mean), fit.interval_h(mean, var), probability,
                          fit.recipes[conservative], math.exp(float(lower[conservative])), best_observed(fit),
                          fit.fingerprint, fit.hyperparameters(), extra=extra,
                          pareto=[_pareto_entry(fit, posterior, i) for i in pareto_rows],
                          pareto_recipes=[fit.recipes[i] for i in pareto_rows])


def best_observed(fit: Fit) -> BestObserved | None:
    finished = [m for m in fit.inputs.measurements if not m.failed]
    if not finished:
        return None
    top = max(finished, key=lambda m: (m.lifetime_h, m.censored))
    return BestObserved(top.recipe, float(top.lifetime_h), top.censored)


def posterior_at(fit: Fit, condition: Condition | None) -> tuple[CandidatePosterior, str | None]:
    """The candidates' posterior at ``condition`` (the target's when None or equal)."""
    target = fit.inputs.condition
    if condition is None or target is None or condition == target:
        note = None if condition is None or target is not None else "the campaign has no target condition"
        return fit.posterior, note
    key = next((t for t, k in enumerate(fit.tasks, start=1)
                if k[0] == fit.inputs.space.metal and (k[2], k[3]) == (condition.current_ma_cm2, condition.capacity_mah_cm2)), 0)
    if not fit.context and key == 0:
        return fit.posterior, f"no cells at {condition}: the target condition's predictions"
    n = len(fit.recipes)
    posterior = CandidatePosterior(fit.model, fit.inputs.candidate_features(condition), np.full(n, key, dtype=int),
                                   fit.posterior.physics)
    return posterior, None if key else f"no cells at {condition}: predicted through the condition input"


def _extra(fit: Fit, best: int, condition: Condition | None, note: str | None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    extras, inputs = fit.extras, fit.inputs
    if not inputs.objective.plain:
        extra["objective"] = inputs.objective.as_dict()
    if inputs.condition is not None or condition is not None:
        extra["condition"] = (condition or inputs.condition).as_dict()
    if note:
        extra["note"] = note
    if extras.feasible is not None:
        extra["probability_feasible"] = float(extras.feasible[best])
    if extras.op_mean is not None:
        extra.update(decisions.overpotential_view(extras, best))
    return extra


def _pareto_entry(fit: Fit, posterior: CandidatePosterior, i: int) -> dict[str, Any]:
    recipe = fit.recipes[i]
    mean, var = float(posterior.mean[i]), float(posterior.var[i])
    entry = {"recipe": str(recipe), "ald_cycles": recipe.ald_cycles, "mld_cycles": recipe.mld_cycles,
             "supercycles": recipe.supercycles, "predicted_lifetime_h": math.exp(mean),
             "interval_h": list(fit.interval_h(mean, var))}
    entry.update(decisions.overpotential_view(fit.extras, i))
    if fit.extras.feasible is not None:
        entry["probability_feasible"] = float(fit.extras.feasible[i])
    return entry


def best_draws(fit: Fit, posterior: CandidatePosterior, seed: int, best: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The most promising recipes (and ``best``, by default the model's best) and, per joint posterior
    draw, which of them won."""
    sd = np.sqrt(posterior.var)
    count = min(BEST_CANDIDATES, len(sd))
    anchor = int(np.argmax(posterior.mean)) if best is None else best
    rows = np.union1d(np.argpartition(-(posterior.mean + 3.0 * sd), count - 1)[:count], [anchor])
    draws = posterior.sample(rows, BEST_DRAWS, fit.rng(seed, "recommend"))
    return rows, rows[np.argmax(draws, axis=1)]


def predict(fit: Fit, recipes: Sequence[Recipe]) -> list[dict[str, Any]]:
    """Predicted median lifetime and 90 % interval of a new cell for each recipe in the space."""
    out = []
    for i in fit.indices(recipes, "predicted"):
        mean, var = float(fit.posterior.mean[i]), float(fit.posterior.var[i])
        out.append({"recipe": str(fit.recipes[i]), "predicted_lifetime_h": math.exp(mean),
                    "interval_h": list(fit.interval_h(mean, var))})
    return out
