"""Recipes in the paper's notation and the film geometry they give.

A recipe is a unit of ``a`` ALD cycles and ``b`` MLD cycles repeated ``n`` times on a metal:
``Li@(2ALD-2MLD)25``. ``Na@bare`` is the uncoated metal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .electrochem import metal as lookup_metal
from .errors import RecipeError, require_positive


@dataclass(frozen=True)
class Chemistry:
    """An ALD/MLD pair: growth per cycle and elastic constants of each half-process."""

    name: str
    inorganic: str
    organic: str
    inorganic_growth_nm_per_cycle: float
    organic_growth_nm_per_cycle: float
    inorganic_modulus_gpa: float
    organic_modulus_gpa: float
    inorganic_poisson_ratio: float
    organic_poisson_ratio: float
    # A unit whose period is at most this is a homogeneous "nanoalloy"; thicker units keep distinct
    # layers ("nano-laminate"). The paper calls 1-1 and 2-2 (0.4, 0.8 nm) alloys and 5-5 (2 nm) a
    # laminate; 1.0 nm sits between (assumption).
    alloy_max_period_nm: float = 1.0
    # the precursor pair of each half-process, as a coating worksheet names them ("TMA/H2O")
    inorganic_precursors: str = ""
    organic_precursors: str = ""

    def __post_init__(self) -> None:
        for name in ("inorganic_growth_nm_per_cycle", "organic_growth_nm_per_cycle",
                     "inorganic_modulus_gpa", "organic_modulus_gpa", "alloy_max_period_nm"):
            require_positive(name, getattr(self, name), RecipeError)
        for name in ("inorganic_poisson_ratio", "organic_poisson_ratio"):
            value = getattr(self, name)
            if not -1.0 < value < 0.5:
                raise RecipeError(f"{name} must lie in (-1, 0.5), got {value!r}")


# Al2O3 (TMA/H2O) ≈ 0.11 nm/cycle (paper: 0.1–0.12) and alucone (TMA/EG) the rest of the 0.4 nm a
# 1-1 unit grows. Moduli from the paper: Al2O3 ≈ 165 GPa, alucone 21–37 GPa (midpoint 29).
# Poisson ratios: ALD Al2O3 0.24 (Tripp et al. 2006), alucone 0.3 (assumption).
AL2O3_ALUCONE = Chemistry(
    name="Al2O3/alucone", inorganic="Al2O3", organic="alucone",
    inorganic_growth_nm_per_cycle=0.11, organic_growth_nm_per_cycle=0.29,
    inorganic_modulus_gpa=165.0, organic_modulus_gpa=29.0,
    inorganic_poisson_ratio=0.24, organic_poisson_ratio=0.30,
    inorganic_precursors="TMA/H2O", organic_precursors="TMA/EG",
)
# ZnO (DEZ/H2O) ≈ 0.2 nm/cycle, zincone (DEZ/EG) ≈ 0.4 nm/cycle; moduli 140 / 20 GPa. (assumption, check)
ZNO_ZINCONE = Chemistry(
    name="ZnO/zincone", inorganic="ZnO", organic="zincone",
    inorganic_growth_nm_per_cycle=0.20, organic_growth_nm_per_cycle=0.40,
    inorganic_modulus_gpa=140.0, organic_modulus_gpa=20.0,
    inorganic_poisson_ratio=0.33, organic_poisson_ratio=0.30,
    inorganic_precursors="DEZ/H2O", organic_precursors="DEZ/EG",
)
# TiO2 (TiCl4/H2O) ≈ 0.05 nm/cycle, titanicone (TiCl4/EG) ≈ 0.45 nm/cycle; moduli 150 / 25 GPa. (assumption, check)
TIO2_TITANICONE = Chemistry(
    name="TiO2/titanicone", inorganic="TiO2", organic="titanicone",
    inorganic_growth_nm_per_cycle=0.05, organic_growth_nm_per_cycle=0.45,
    inorganic_modulus_gpa=150.0, organic_modulus_gpa=25.0,
    inorganic_poisson_ratio=0.27, organic_poisson_ratio=0.30,
    inorganic_precursors="TiCl4/H2O", organic_precursors="TiCl4/EG",
)
CHEMISTRIES: dict[str, Chemistry] = {c.name: c for c in (AL2O3_ALUCONE, ZNO_ZINCONE, TIO2_TITANICONE)}

def unit_structure(ald_cycles: int, mld_cycles: int, chemistry: Chemistry) -> str:
    """``"single"`` (one material), ``"nanoalloy"`` (homogeneous) or ``"nanolaminate"`` (distinct layers)."""
    if ald_cycles == 0 or mld_cycles == 0:
        return "single"
    period_nm = ald_cycles * chemistry.inorganic_growth_nm_per_cycle + mld_cycles * chemistry.organic_growth_nm_per_cycle
    return "nanoalloy" if period_nm <= chemistry.alloy_max_period_nm else "nanolaminate"


_RECIPE_RE = re.compile(
    r"^\s*(?:(?P<metal>[A-Za-z]+)\s*@\s*)?"
    r"(?:(?P<bare>bare)|\(\s*(?P<a>\d+)\s*ALD\s*-\s*(?P<b>\d+)\s*MLD\s*\)\s*(?P<n>\d+))\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Recipe:
    """``metal`` coated with ``supercycles`` repeats of ``ald_cycles`` ALD + ``mld_cycles`` MLD cycles.

    All three counts zero is the bare metal.
    """

    metal: str
    ald_cycles: int
    mld_cycles: int
    supercycles: int
    chemistry: Chemistry = field(default=AL2O3_ALUCONE, compare=False, repr=False)

    def __post_init__(self) -> None:
        lookup_metal(self.metal)
        counts = (self.ald_cycles, self.mld_cycles, self.supercycles)
        for name, value in zip(("ald_cycles", "mld_cycles", "supercycles"), counts):
            if isinstance(value, bool) or not isinstance(value, int):
                raise RecipeError(f"{name} must be a whole number, got {value!r}")
            if value < 0:
                raise RecipeError(f"{name} must not be negative, got {value}")
        if self.is_bare:
            return
        if self.ald_cycles + self.mld_cycles == 0:
            raise RecipeError("a unit needs at least one ALD or MLD cycle, got (0ALD-0MLD)")
        if self.supercycles == 0:
            raise RecipeError("a coated recipe needs at least one supercycle, got 0")

    @classmethod
    def parse(cls, text: str, metal: str | None = None, chemistry: Chemistry = AL2O3_ALUCONE) -> "Recipe":
        """Parse ``Li@(2ALD-2MLD)25``, ``(1ALD-1MLD)10`` with ``metal`` given, or ``Na@bare``."""
        if not isinstance(text, str):
            raise RecipeError(f"a recipe must be text like 'Li@(2ALD-2MLD)25', got {text!r}")
        match = _RECIPE_RE.match(text)
        if match is None:
            raise RecipeError(f"malformed recipe {text!r}: expected 'Metal@(aALD-bMLD)n', e.g. 'Li@(2ALD-2MLD)25', or 'Metal@bare'")
        written_metal = match.group("metal")
        if written_metal and metal and written_metal != metal:
            raise RecipeError(f"recipe {text!r} names metal {written_metal!r} but {metal!r} was given")
        symbol = written_metal or metal
        if symbol is None:
            raise RecipeError(f"recipe {text!r} names no metal: write 'Li@{text.strip()}' or give the metal")
        if match.group("bare"):
            return cls(symbol, 0, 0, 0, chemistry)
        return cls(symbol, int(match.group("a")), int(match.group("b")), int(match.group("n")), chemistry)

    @property
    def is_bare(self) -> bool:
        return self.ald_cycles == 0 and self.mld_cycles == 0 and self.supercycles == 0

    @property
    def unit(self) -> str:
        """The coating alone, ``(2ALD-2MLD)25`` or ``bare``."""
        if self.is_bare:
            return "bare"
        return f"({self.ald_cycles}ALD-{self.mld_cycles}MLD){self.supercycles}"

    def __str__(self) -> str:
        return f"{self.metal}@{self.unit}"

    @property
    def inorganic_layer_nm(self) -> float:
        """Thickness of the ALD part of one unit."""
        return self.ald_cycles * self.chemistry.inorganic_growth_nm_per_cycle

    @property
    def organic_layer_nm(self) -> float:
        """Thickness of the MLD part of one unit."""
        return self.mld_cycles * self.chemistry.organic_growth_nm_per_cycle

    @property
    def unit_period_nm(self) -> float:
        return self.inorganic_layer_nm + self.organic_layer_nm

    @property
    def thickness_nm(self) -> float:
        # h = n (a·g_ALD + b·g_MLD), rounded to 1e-9 nm so that (1ALD-1MLD)10 prints as 4.0
        return round(self.supercycles * self.unit_period_nm, 9)

    @property
    def inorganic_fraction(self) -> float:
        """Volume fraction of the inorganic phase (growth per cycle is a thickness, so by volume)."""
        if self.is_bare:
            return 0.0
        return self.inorganic_layer_nm / self.unit_period_nm

    @property
    def deposition_sequence(self) -> str:
        """The reactor program written out: ``25 × [2 × (TMA/H2O), 2 × (TMA/EG)]``; ``bare`` for none."""
        if self.is_bare:
            return "bare"
        steps = [f"{count} × ({precursors or name})" for count, precursors, name in (
            (self.ald_cycles, self.chemistry.inorganic_precursors, self.chemistry.inorganic),
            (self.mld_cycles, self.chemistry.organic_precursors, self.chemistry.organic)) if count]
        return f"{self.supercycles} × [{', '.join(steps)}]"

    @property
    def structure(self) -> str:
        """``"bare"``, ``"nanoalloy"`` (homogeneous) or ``"nanolaminate"`` (distinct layers)."""
        if self.is_bare:
            return "bare"
        return unit_structure(self.ald_cycles, self.mld_cycles, self.chemistry)

    def geometry(self) -> dict[str, float | str]:
        """The derived geometry as plain values, for printing and storing."""
        return {
            "recipe": str(self),
            "metal": self.metal,
            "chemistry": self.chemistry.name,
            "ald_cycles": self.ald_cycles,
            "mld_cycles": self.mld_cycles,
            "supercycles": self.supercycles,
            "thickness_nm": self.thickness_nm,
            "unit_period_nm": self.unit_period_nm,
            "inorganic_fraction": self.inorganic_fraction,
            "structure": self.structure,
        }
