"""What the GP sees: a campaign's cells, and its sources' cells, as rows of (features, task, physics, ln lifetime).

``FitInputs`` names everything a fit is built from — the design space, the physics prior, the campaign's
own cells, the related cells, the objective and target condition — and ``PhysicsView`` holds the physics
results it reads, passed in explicitly (nothing here asks a store or runs a model). ``observations``
turns both into the ``Observations`` the GP is fitted to, in a canonical row order: the same cells told
in any order give the same fit, bit for bit.

Rows are grouped into tasks: task 0 is this campaign's cells at its target condition; each related
task is one (metal, source, condition): a related campaign's cells (source 0) or this campaign's own
cells at another condition (source 1).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from interlayer.models.recipe import Recipe

from .condition import Condition
from .gp_prior import Observations
from .measurement import Measurement
from .objective import Objective
from .physics import PhysicsPrior, SimulationRequest
from .space import DesignSpace, recipe_features

# Cells at another test condition: the context input (ln I − ln I*, ln Q − ln Q*) enters the kernel
# scaled by this, so an e-fold of current is a third of the length-scale prior's median apart: close
# enough for the learned task correlation to carry over, far enough to tell conditions apart.
CONTEXT_SCALE = 0.05


def row_key(m: Measurement) -> tuple:
    """A cell's place in the canonical row order."""
    return (m.recipe.ald_cycles, m.recipe.mld_cycles, m.recipe.supercycles, m.lifetime_h, m.censored,
            m.cell_id or "", m.overpotential_mv if m.overpotential_mv is not None else -math.inf,
            *(m.condition.features() if m.condition else ()))


def task_key(m: Measurement, source: int) -> tuple:
    """A related task: (metal, 0 for a related campaign's cells | 1 for this campaign's at another condition, condition)."""
    current, capacity = (m.condition.current_ma_cm2, m.condition.capacity_mah_cm2) if m.condition else (0.0, 0.0)
    return (m.recipe.metal, source, current, capacity)


def related_recipes(related: tuple[Measurement, ...], metal: str) -> tuple[Recipe, ...]:
    """The distinct recipes of the related cells on ``metal``, in the space's order."""
    return tuple(sorted({m.recipe for m in related if m.recipe.metal == metal},
                        key=lambda r: (r.ald_cycles, r.mld_cycles, r.supercycles)))


@dataclass(frozen=True)
class FitInputs:
    """Everything a fit is built from, except the physics results (``PhysicsView``)."""

    space: DesignSpace
    physics: PhysicsPrior | None
    measurements: tuple[Measurement, ...]
    related: tuple[Measurement, ...]
    objective: Objective
    condition: Condition | None
    learn_failures: bool
    fingerprint: str  # the campaign's data fingerprint: its cells, the related cells, space, objective, condition

    @property
    def key(self) -> str:
        """What identifies the fit: two inputs with one key give the same model, bit for bit."""
        return hashlib.sha256(f"{self.fingerprint}|{self.physics!r}|{self.learn_failures}".encode()).hexdigest()

    def at_target(self, m: Measurement) -> bool:
        return self.condition is None or m.condition is None or m.condition == self.condition

    def uses_context(self) -> bool:
        """Whether any cell was tested at another condition than the target: then the condition is an input."""
        if self.condition is None:
            return False
        return any(m.condition is not None and m.condition != self.condition for m in (*self.measurements, *self.related))

    def tasks(self) -> list[tuple[tuple, list[Measurement]]]:
        """Related tasks in a fixed order, each with its lifetime rows."""
        groups: dict[tuple, list[Measurement]] = {}
        for m in self.related:
            if not m.failed:
                groups.setdefault(task_key(m, 0), []).append(m)
        for m in self.measurements:
            if not m.failed and not self.at_target(m):
                groups.setdefault(task_key(m, 1), []).append(m)
        return [(key, sorted(groups[key], key=row_key)) for key in sorted(groups)]

    def context(self, rows: list[Measurement]) -> np.ndarray:
        return np.array([m.condition.context(self.condition) if m.condition else (0.0, 0.0) for m in rows],
                        dtype=float).reshape(-1, 2) * CONTEXT_SCALE

    def candidate_features(self, condition: Condition | None = None) -> np.ndarray:
        """The space's features as the model sees them: with the context input when it uses one."""
        if not self.uses_context():
            return self.space.features
        context = np.array(condition.context(self.condition) if condition else (0.0, 0.0)) * CONTEXT_SCALE
        return np.hstack([self.space.features, np.broadcast_to(context, (len(self.space.features), 2))])


class PhysicsView:
    """The physics prior's index u(recipe) over the space and over each related metal's recipes, from
    explicit ``results``; fixed for a campaign's life (its space, related cells and so its requests are)."""

    def __init__(self, physics: PhysicsPrior | None, space: DesignSpace, related: tuple[Measurement, ...],
                 results: Mapping[SimulationRequest, dict]):
        self.physics, self.space, self.results = physics, space, results
        self._related = related
        self._indices: dict[str, np.ndarray] = {}
        self._thickness_factors: dict[str, float] = {}
        self.space_index = self.index(space.metal, space.recipes())

    def index(self, metal: str, recipes: tuple[Recipe, ...]) -> np.ndarray:
        """u over ``recipes``: the prior log-lifetime shape (0 at the physics optimum; 0 everywhere without physics)."""
        if self.physics is None or not recipes:
            return np.zeros(len(recipes))
        return self.physics.index(metal, recipes, self.results)

    def related_index(self, metal: str) -> tuple[tuple[Recipe, ...], np.ndarray]:
        recipes = related_recipes(self._related, metal)
        if metal not in self._indices:
            self._indices[metal] = self.index(metal, recipes)
        return recipes, self._indices[metal]

    def thickness_factor(self, metal: str) -> float:
        """This metal's thickness scale over ``metal``'s, by the physics (1 without physics).

        A related cell enters on this metal's thickness axis: a Li film of h counts as a Na film of
        h · (Na scale / Li scale), so that cells on both metals meet where each metal's film is as thick
        as its dendrites demand, and the discrepancy between physics and cells (what the tasks share,
        with correlation r) is compared film for film.
        """
        if self.physics is None:
            return 1.0
        if metal not in self._thickness_factors:
            own_nm = self.physics.thickness_scale_nm(self.space.metal, self.space.recipes(), self.results)
            other_nm = self.physics.thickness_scale_nm(metal, related_recipes(self._related, metal), self.results)
            self._thickness_factors[metal] = own_nm / other_nm
        return self._thickness_factors[metal]


def _task_rows(inputs: FitInputs, view: PhysicsView, key: tuple, rows: list[Measurement]) -> tuple[np.ndarray, list[float]]:
    metal, source = key[0], key[1]
    if source == 1:  # this campaign's own recipes, at another condition
        index = [inputs.space.index_of(m.recipe) for m in rows]
        return inputs.space.features[index], [view.space_index[i] for i in index]
    recipes, physics = view.related_index(metal)
    position = {r: i for i, r in enumerate(recipes)}
    return (recipe_features([m.recipe for m in rows], view.thickness_factor(metal)),
            [physics[position[m.recipe]] for m in rows])


def observations(inputs: FitInputs, view: PhysicsView) -> Observations:
    """The GP's rows: this campaign's cells at the target (task 0), then each related task's."""
    space = inputs.space
    candidates = view.space_index
    ordered = sorted((m for m in inputs.measurements if not m.failed and inputs.at_target(m)), key=row_key)
    rows = [space.index_of(m.recipe) for m in ordered]
    features = [space.features[rows]]
    physics = [candidates[i] for i in rows]
    task = [0] * len(rows)
    measured = list(ordered)
    tasks = inputs.tasks()
    for t, (key, related) in enumerate(tasks, start=1):
        block, index = _task_rows(inputs, view, key, related)
        features.append(block)
        physics.extend(index)
        task.extend([t] * len(related))
        measured.extend(related)
    n = len(measured)
    matrix = np.vstack(features).reshape(n, space.features.shape[1])
    if inputs.uses_context():
        matrix = np.hstack([matrix, inputs.context(measured)])
    return Observations(matrix, np.array(task, dtype=int),
                        np.array(physics, dtype=float), np.log([m.lifetime_h for m in measured]),
                        np.array([m.censored for m in measured], dtype=bool), 1 + len(tasks),
                        space.trend_frame)
