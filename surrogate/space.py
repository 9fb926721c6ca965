"""The design space of one metal: which ALD/MLD recipes a campaign may propose, and their features.

A recipe ``(aALD-bMLD)n`` is feasible when ``a``, ``b`` and ``n`` lie in their ranges, its thickness
lies in the band and (optionally) its unit is symmetric. The defaults (hybrid units a, b = 1..10,
n ≤ 100, h ≤ 40 nm) give 2,259 recipes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from interlayer.models.electrochem import metal as lookup_metal
from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import CHEMISTRIES, Recipe

from .gp_prior import TrendFrame


class DesignSpaceError(InterlayerError):
    """A design space that is malformed or holds no feasible recipe."""


# Features are scaled by fixed ranges, not by the space, so that measurements from another
# campaign (another metal, another space) land on the same axes for transfer.
LOG_THICKNESS_RANGE = (math.log(0.1), math.log(200.0))
LOG_PERIOD_RANGE = (math.log(0.1), math.log(20.0))
# The first three features are continuous; the alloy flag is 0 or 1.
CONTINUOUS_FEATURES = 3


@dataclass(frozen=True)
class DesignSpace:
    """Recipes on ``metal`` with ``min..max`` cycles per unit, up to ``max_supercycles`` and a thickness band."""

    metal: str
    max_ald_cycles: int = 10
    max_mld_cycles: int = 10
    max_supercycles: int = 100
    max_thickness_nm: float = 40.0
    min_thickness_nm: float = 0.0
    symmetric_only: bool = False
    # 1 keeps every unit hybrid (both an ALD and an MLD part), as in the paper; 0 allows single-material films.
    min_ald_cycles: int = 1
    min_mld_cycles: int = 1
    chemistry: str = "Al2O3/alucone"

    def __post_init__(self) -> None:
        if not isinstance(self.metal, str):
            raise DesignSpaceError(f"metal must be a symbol like 'Li', got {self.metal!r}")
        lookup_metal(self.metal)
        for name in ("max_ald_cycles", "max_mld_cycles", "max_supercycles", "min_ald_cycles", "min_mld_cycles"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise DesignSpaceError(f"{name} must be a whole number >= 0, got {value!r}")
        if self.max_supercycles < 1:
            raise DesignSpaceError(f"max_supercycles must be at least 1, got {self.max_supercycles}")
        for low, high in (("min_ald_cycles", "max_ald_cycles"), ("min_mld_cycles", "max_mld_cycles")):
            if getattr(self, low) > getattr(self, high):
                raise DesignSpaceError(f"{low} ({getattr(self, low)}) exceeds {high} ({getattr(self, high)})")
        for name in ("max_thickness_nm", "min_thickness_nm"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise DesignSpaceError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.min_thickness_nm >= self.max_thickness_nm:
            raise DesignSpaceError(f"min_thickness_nm ({self.min_thickness_nm}) must be below max_thickness_nm ({self.max_thickness_nm})")
        if not isinstance(self.symmetric_only, bool):
            raise DesignSpaceError(f"symmetric_only must be true or false, got {self.symmetric_only!r}")
        if self.chemistry not in CHEMISTRIES:
            raise DesignSpaceError(f"unknown chemistry {self.chemistry!r}; known: {', '.join(CHEMISTRIES)}")
        if not self.recipes():
            raise DesignSpaceError(f"design space {self.to_dict()} holds no feasible recipe")

    def recipes(self) -> tuple[Recipe, ...]:
        """Every feasible recipe, ordered by (ald_cycles, mld_cycles, supercycles); the space's own tuple, not a copy."""
        return self._recipes

    @cached_property
    def _recipes(self) -> tuple[Recipe, ...]:
        chemistry = CHEMISTRIES[self.chemistry]
        found: list[Recipe] = []
        supercycles = np.arange(1, self.max_supercycles + 1)
        for a in range(self.min_ald_cycles, self.max_ald_cycles + 1):
            for b in range(self.min_mld_cycles, self.max_mld_cycles + 1):
                if a + b == 0 or (self.symmetric_only and a != b):
                    continue
                # h = n (a·g_ALD + b·g_MLD)
                thickness_nm = supercycles * (a * chemistry.inorganic_growth_nm_per_cycle
                                              + b * chemistry.organic_growth_nm_per_cycle)
                keep = (thickness_nm <= self.max_thickness_nm + 1e-9) & (thickness_nm >= self.min_thickness_nm - 1e-9)
                found.extend(Recipe(self.metal, a, b, int(n), chemistry) for n in supercycles[keep])
        return tuple(found)

    @cached_property
    def _index(self) -> dict[tuple[int, int, int], int]:
        return {(r.ald_cycles, r.mld_cycles, r.supercycles): i for i, r in enumerate(self._recipes)}

    def index_of(self, recipe: Recipe) -> int | None:
        """Position of ``recipe`` in ``recipes()``, or None when it lies outside the space."""
        if not isinstance(recipe, Recipe) or recipe.metal != self.metal or recipe.chemistry.name != self.chemistry:
            return None
        return self._index.get((recipe.ald_cycles, recipe.mld_cycles, recipe.supercycles))

    def contains(self, recipe: Recipe) -> bool:
        return self.index_of(recipe) is not None

    @cached_property
    def features(self) -> np.ndarray:
        """Feature matrix of ``recipes()`` (see ``recipe_features``)."""
        return recipe_features(self._recipes)

    @cached_property
    def thickness_nm(self) -> np.ndarray:
        """Film thickness of each of ``recipes()``, nm."""
        return np.array([r.thickness_nm for r in self._recipes])

    @cached_property
    def trend_frame(self) -> TrendFrame:
        """The box of the continuous features over this space, for the GP's second-order trend."""
        box = self.features[:, :CONTINUOUS_FEATURES]
        low, high = box.min(axis=0), box.max(axis=0)
        # a feature fixed by the space (symmetric units fix the fraction) gets z = 0 throughout
        half_range = np.maximum((high - low) / 2.0, 1e-9)
        return TrendFrame(tuple(((low + high) / 2.0).tolist()), tuple(half_range.tolist()))

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Any) -> "DesignSpace":
        """Build from ``to_dict()`` output; unknown or missing keys raise DesignSpaceError."""
        if not isinstance(data, dict):
            raise DesignSpaceError(f"a design space must be a mapping, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise DesignSpaceError(f"unknown design-space field(s): {', '.join(sorted(unknown))}")
        if "metal" not in data:
            raise DesignSpaceError("a design space needs a metal")
        return cls(**data)


def stored_space(data: dict[str, Any]) -> DesignSpace:
    """``DesignSpace.from_dict(data)``, built once per distinct space: each write of cells checks its rows
    against the campaign's space, and building one enumerates its recipes (2,259 by default)."""
    if not isinstance(data, dict):
        return DesignSpace.from_dict(data)
    return _stored_space(tuple(sorted(data.items())))


@lru_cache(maxsize=64)
def _stored_space(items: tuple) -> DesignSpace:
    return DesignSpace.from_dict(dict(items))


def recipe_features(recipes, thickness_factor: float = 1.0) -> np.ndarray:
    """Rows of [log thickness, log unit period, inorganic fraction, alloy flag], each scaled to about [0, 1].

    ``thickness_factor`` multiplies every thickness: another metal's films placed on this metal's
    thickness scale (transfer).
    """
    rows = np.array([(r.thickness_nm * thickness_factor, r.unit_period_nm, r.inorganic_fraction, r.structure == "nanoalloy")
                     for r in recipes], dtype=float).reshape(-1, 4)
    out = np.empty_like(rows)
    out[:, 0] = (np.log(rows[:, 0]) - LOG_THICKNESS_RANGE[0]) / (LOG_THICKNESS_RANGE[1] - LOG_THICKNESS_RANGE[0])
    out[:, 1] = (np.log(rows[:, 1]) - LOG_PERIOD_RANGE[0]) / (LOG_PERIOD_RANGE[1] - LOG_PERIOD_RANGE[0])
    out[:, 2] = rows[:, 2]
    out[:, 3] = rows[:, 3]
    return out
