"""Simulated labs that report what a lab records: lifetime, overpotential, failed cells, test conditions.

An ``OutcomeLab`` is called like a ``SimulatedLab`` with an optional ``condition=(current_ma_cm2,
capacity_mah_cm2)`` and returns ``{"lifetime_h", "censored", "overpotential_mv", "failed"}``;
``truth(...)`` returns ``{"lifetime_h", "overpotential_mv"}`` (noise-free medians) and
``feasible(...)`` whether the recipe can be made at all (failures are systematic).

- Lifetime: the wrapped lab's truth at the reference condition (1 mA cm⁻², 1 mAh cm⁻²); at current I
  and capacity Q it is scaled by I^−CURRENT_EXPONENT · Q^−CAPACITY_EXPONENT, and the optimal thickness
  grows as I^THICKNESS_SHIFT (a harder test needs a slightly thicker film).
- Overpotential: η = η₀ · I^0.7 · exp(h / h_η) · exp(κ (f − 0.3)), log-normal scatter ``op_scatter``:
  a thicker, more inorganic film protects longer but costs overpotential (the paper: Na@(1-1)10 ≈ 30
  mV, Li@(2-2)25 ≈ 80 mV).
- Failures: recipes in ``fails`` (connected regions of the recipe space) never coat: the cell reports
  ``failed`` with no lifetime.

Labs: ``pareto_lab`` (the paper's lifetimes with overpotential), ``failing_lab`` (≈ 15 % of the
space, thin films of few supercycles next to the optimum, does not coat), ``condition_lab`` (the
misleading-physics lab's truth at several conditions), ``unrelated_condition_lab`` (cells that
share nothing with the others).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from interlayer.models.recipe import Recipe

from .labs import MetalResponse, SimulatedLab, log_lifetime as lab_log_lifetime, misleading_physics_lab, paper_lab

REFERENCE_CONDITION = (1.0, 1.0)
CURRENT_EXPONENT = 0.8
CAPACITY_EXPONENT = 0.3
THICKNESS_SHIFT = 0.1


@dataclass(frozen=True)
class OverpotentialResponse:
    """η₀ (mV at 1 mA cm⁻² for a thin balanced film), h_η (nm per e-fold), κ (per unit inorganic fraction)."""

    base_mv: float
    thickness_nm: float
    fraction_slope: float = 1.0
    current_exponent: float = 0.7


OVERPOTENTIAL = {"Na": OverpotentialResponse(25.0, 22.0), "Li": OverpotentialResponse(40.0, 29.0)}


class OutcomeLab:
    """A SimulatedLab's lifetimes plus overpotential, failures and test conditions (see the module docstring)."""

    def __init__(self, name: str, lab: SimulatedLab, overpotential: dict[str, OverpotentialResponse] | None = None,
                 fails: Callable[[Recipe], bool] | None = None, op_scatter: float = 0.08):
        self.name = name
        self.lab = lab
        self.overpotential = dict(overpotential or OVERPOTENTIAL)
        self.fails = fails
        self.op_scatter = op_scatter

    def __repr__(self) -> str:
        return f"OutcomeLab({self.name!r})"

    def _recipe(self, metal, ald_cycles, mld_cycles, supercycles) -> Recipe:
        return Recipe(metal, int(ald_cycles), int(mld_cycles), int(supercycles), self.lab.chemistry)

    def log_lifetime(self, recipe: Recipe, condition=None) -> float:
        current, capacity = condition or REFERENCE_CONDITION
        shift = current ** THICKNESS_SHIFT
        # the film that is optimal at I behaves as a film 1/shift as thick at the reference condition
        response = self.lab.response(recipe.metal)
        value = float(lab_log_lifetime(response, [recipe.thickness_nm / shift], [recipe.unit_period_nm],
                                       [recipe.inorganic_fraction], self.lab.chemistry.alloy_max_period_nm)[0])
        return value - CURRENT_EXPONENT * math.log(current) - CAPACITY_EXPONENT * math.log(capacity)

    def log_overpotential(self, recipe: Recipe, condition=None) -> float:
        current, _ = condition or REFERENCE_CONDITION
        r = self.overpotential[recipe.metal]
        return (math.log(r.base_mv) + r.current_exponent * math.log(current) + recipe.thickness_nm / r.thickness_nm
                + r.fraction_slope * (recipe.inorganic_fraction - 0.3))

    def feasible(self, metal, ald_cycles, mld_cycles, supercycles, condition=None) -> bool:
        return self.fails is None or not self.fails(self._recipe(metal, ald_cycles, mld_cycles, supercycles))

    def truth(self, metal, ald_cycles, mld_cycles, supercycles, condition=None) -> dict[str, float]:
        recipe = self._recipe(metal, ald_cycles, mld_cycles, supercycles)
        return {"lifetime_h": math.exp(self.log_lifetime(recipe, condition)),
                "overpotential_mv": math.exp(self.log_overpotential(recipe, condition))}

    def __call__(self, metal, ald_cycles, mld_cycles, supercycles, rng: np.random.Generator, condition=None) -> dict:
        recipe = self._recipe(metal, ald_cycles, mld_cycles, supercycles)
        response = self.lab.response(metal)
        # the lifetime's draw first, as the wrapped lab draws it: the same cell on both labs
        lifetime_h = math.exp(self.log_lifetime(recipe, condition) + response.scatter * rng.standard_normal())
        overpotential_mv = math.exp(self.log_overpotential(recipe, condition) + self.op_scatter * rng.standard_normal())
        if not self.feasible(metal, ald_cycles, mld_cycles, supercycles):
            return {"lifetime_h": None, "censored": False, "overpotential_mv": None, "failed": True}
        censored = lifetime_h >= response.cutoff_h
        return {"lifetime_h": min(lifetime_h, response.cutoff_h), "censored": censored,
                "overpotential_mv": overpotential_mv, "failed": False}


def thin_films_fail(recipe: Recipe) -> bool:
    """Few supercycles of MLD-rich units do not close into a film: a connected corner of the space."""
    return recipe.supercycles <= 6 and recipe.mld_cycles >= recipe.ald_cycles


# Cells that share nothing with the others' trends: thick (≈30 nm), inorganic-rich laminates live longest.
_UNRELATED = MetalResponse(bare_lifetime_h=200.0, gain=math.log(5.0), thickness_nm=30.0, thickness_width=0.6,
                           period_nm=3.0, period_width=0.5, inorganic_fraction=0.75, fraction_width=0.2,
                           laminate_penalty=0.0, cutoff_h=1500.0, scatter=0.3)

pareto_lab = OutcomeLab("pareto_lab", paper_lab)
failing_lab = OutcomeLab("failing_lab", paper_lab, fails=thin_films_fail)
# The physics points the wrong way here (see labs.misleading_physics_lab): a campaign alone needs cells
# to find the optimum, which cells at another condition carry.
condition_lab = OutcomeLab("condition_lab", misleading_physics_lab)
unrelated_condition_lab = OutcomeLab("unrelated_condition_lab", SimulatedLab("unrelated", {"Li": _UNRELATED, "Na": _UNRELATED}))
OUTCOME_LABS = {lab.name: lab for lab in (pareto_lab, failing_lab, condition_lab, unrelated_condition_lab)}
