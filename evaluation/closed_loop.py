"""The closed loop: a planner proposes recipes, a (simulated) lab tests them, the planner learns.

A planner is anything with ``ask(count) -> list[Recipe]``, ``tell(results)`` (a list of
``CellResult``) and ``recommend() -> Recipe``. ``InterlayerPlanner`` wraps an in-memory
``Campaign``; ``baselines`` has the others; the demo and the service tests drive a campaign on the
service through the same loop. ``run_loop`` is deterministic given the seed: each cell's scatter
comes from its own generator keyed by (seed, recipe, replicate), so two planners that test the same
recipe see the same cell.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np

from interlayer.models.recipe import Recipe
from interlayer.surrogate.campaign import Campaign
from interlayer.surrogate.measurement import Measurement
from interlayer.surrogate.simulations import LocalSimulations
from interlayer.surrogate.space import DesignSpace

Lab = Callable[[str, int, int, int, np.random.Generator], tuple[float, bool]]


@dataclass(frozen=True)
class CellResult:
    """One tested cell: its lifetime in hours, a lower bound when ``censored``."""

    recipe: Recipe
    lifetime_h: float
    censored: bool


@dataclass(frozen=True)
class LoopRound:
    """The state after one batch: experiments used so far and the planner's recommended recipe."""

    round: int
    experiments: int
    recommended: Recipe
    results: tuple[CellResult, ...]


class Planner(Protocol):
    def ask(self, count: int) -> list[Recipe]: ...
    def tell(self, results: list[CellResult]) -> None: ...
    def recommend(self) -> Recipe: ...


@cache
def local_simulations() -> LocalSimulations:
    """This process's physics runs, shared by every campaign it benchmarks: each seed's prior needs
    the same deterministic runs (about 10 s of them per metal)."""
    return LocalSimulations()


class InterlayerPlanner:
    """A ``Campaign`` driven as a planner; ``options`` go to the Campaign (e.g. ``related=``)."""

    def __init__(self, space: DesignSpace, seed: int, **options):
        options.setdefault("simulations", local_simulations())
        self.campaign = Campaign(space, seed=seed, **options)

    def ask(self, count: int) -> list[Recipe]:
        return [proposal.recipe for proposal in self.campaign.ask(count)]

    def tell(self, results: list[CellResult]) -> None:
        self.campaign.tell([Measurement(r.recipe, r.lifetime_h, r.censored) for r in results])

    def recommend(self) -> Recipe:
        return self.campaign.recommend().recipe


def cell_rng(seed: int, recipe: Recipe, replicate: int) -> np.random.Generator:
    """The generator of one cell's scatter: the same seed, recipe and replicate give the same cell."""
    return np.random.default_rng([seed, recipe.ald_cycles, recipe.mld_cycles, recipe.supercycles, replicate])


def run_loop(planner: Planner, lab: Lab, space: DesignSpace, *, budget: int, batch: int, seed: int) -> Iterator[LoopRound]:
    """Ask ``batch`` recipes, test them in ``lab``, tell, recommend; repeat until ``budget`` cells are used."""
    tested: Counter = Counter()
    experiments = 0
    round_number = 0
    while experiments < budget:
        count = min(batch, budget - experiments)
        results = []
        for recipe in planner.ask(count)[:count]:
            key = (recipe.ald_cycles, recipe.mld_cycles, recipe.supercycles)
            lifetime_h, censored = lab(space.metal, *key, cell_rng(seed, recipe, tested[key]))
            tested[key] += 1
            results.append(CellResult(recipe, float(lifetime_h), bool(censored)))
        planner.tell(results)
        experiments += len(results)
        round_number += 1
        yield LoopRound(round_number, experiments, planner.recommend(), tuple(results))


def truth_table(lab, space: DesignSpace) -> dict[tuple[int, int, int], float]:
    """Noise-free lifetime (hours) of every recipe in ``space``, from ``lab.truth``."""
    return {(r.ald_cycles, r.mld_cycles, r.supercycles): float(lab.truth(space.metal, r.ald_cycles, r.mld_cycles, r.supercycles))
            for r in space.recipes()}

