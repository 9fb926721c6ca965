"""Simulated labs: ground-truth cell lifetimes for benchmarking the optimization loop.

A lab is a callable ``lab(metal, ald_cycles, mld_cycles, supercycles, rng) -> (lifetime_h, censored)``
that "coats and cycles" one symmetric cell, with ``lab.truth(metal, ald_cycles, mld_cycles,
supercycles) -> hours``, the noise-free median lifetime. A cell's lifetime scatters lognormally
about the truth; a cell still running at the test cutoff is reported as ``(cutoff_h, True)``.

The truth is a smooth function of the film, not a table. The coating multiplies the bare-metal
lifetime by exp(gain), and the gain is the product of bell curves in the film's descriptors:

    ln L = ln L_bare + G · T(h) · P(p) · C(f) · S(p)
    T(h) = exp(-ln²(h/h*) / 2s_h²)      thickness h: too thin tears, too thick blocks ions
    P(p) = exp(-ln²(p/p*) / 2s_p²)      unit period p: the stiffness/toughness balance of the unit
    C(f) = exp(-(f - f*)² / 2s_f²)       inorganic fraction f: pure Al2O3 is brittle, pure alucone soft
    S(p) = 1 - c_lam · sigmoid((p - p_alloy) / 0.2 nm)   nano-laminates (distinct layers) lose to alloys

so the best recipe reaches L_bare · e^G. Four named labs, and a family of generated ones:

- ``paper_lab``: the paper's findings (Na best at (1-1)10 ≈ 4 nm, thin wins in each unit group; Li
  best at (2-2)25 ≈ 20 nm; alloys beat laminates; bare Na ≈ 100 h, bare Li 270 h).
- ``misleading_physics_lab``: the optima lie where the physics does not point (Li thin and
  inorganic-rich, Na thick and laminated).
- ``noisy_lab``: the paper's truth under heavy cell scatter and an early test cutoff, so that most
  good cells are censored.
- ``shared_film_lab``: one reactor's films on both metals. The films depart from the physics in the
  same way on Li and Na (Al2O3-rich alloys win, at 0.6 × the thickness the physics asks of each
  metal), so one metal's cells say where the other's optimum lies: the lab for transfer.

- ``family``: ``family.lab(seed)`` draws a lab from a seed (``LabFamily``): each metal's optimum
  anywhere in the space (thickness 1–35 nm, any unit), bell widths, a best thickness that moves with
  the unit (h* · (p/p*)^k_p · exp(k_f (f - f*))), the alloy/laminate step present, absent or
  reversed (c_lam < 0: alloys lose), bare lifetime, gain, scatter 0.15–0.5 and a test cutoff 0.4×–2×
  the best lifetime. Family seeds ``TUNING_FAMILY_SEEDS`` (100–149) are the ones a policy may be
  tuned on; ``HELD_OUT_FAMILY_SEEDS`` (0–49) are never tuned on and carry the reported figures
  (``interlayer closed-loop --lab interlayer.evaluation.labs:family --family-seeds 0-49``).

``resolve_lab("interlayer.evaluation.labs:paper_lab")`` finds a lab by ``module:attribute`` name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache
from importlib import import_module
from typing import Callable

import numpy as np

from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import AL2O3_ALUCONE, Chemistry, Recipe
from interlayer.surrogate.space import DesignSpace

# Width of the alloy -> laminate transition in unit period (nm).
LAMINATE_TRANSITION_NM = 0.2


class LabError(InterlayerError):
    """A simulated lab that cannot be found or asked about an unknown metal."""


@dataclass(frozen=True)
class MetalResponse:
    """How one metal's cell lifetime responds to the film (see the module docstring for the formula)."""

    bare_lifetime_h: float
    gain: float                     # G: ln(best lifetime / bare lifetime)
    thickness_nm: float             # h*
    thickness_width: float          # s_h, in ln(h)
    period_nm: float                # p*
    period_width: float             # s_p, in ln(p)
    inorganic_fraction: float       # f*
    fraction_width: float           # s_f
    laminate_penalty: float         # c_lam
    cutoff_h: float                 # the test stops here: longer-lived cells are censored
    scatter: float                  # sigma of ln(lifetime) from cell to cell
    # non-separable terms (the family's labs): the best thickness moves with the unit,
    # h*(p, f) = h* · (p/p*)^k_p · exp(k_f (f - f*)); 0 keeps the named labs' separable truth
    thickness_period_slope: float = 0.0     # k_p
    thickness_fraction_slope: float = 0.0   # k_f


def log_lifetime(response: MetalResponse, thickness_nm, period_nm, inorganic_fraction,
                 alloy_max_period_nm: float = AL2O3_ALUCONE.alloy_max_period_nm):
    """ln of the median lifetime (hours) for films described by arrays; thickness 0 is the bare metal."""
    thickness_nm = np.asarray(thickness_nm, dtype=float)
    coated = thickness_nm > 0.0
    h = np.where(coated, thickness_nm, 1.0)
    p = np.where(coated, np.asarray(period_nm, dtype=float), 1.0)
    f = np.asarray(inorganic_fraction, dtype=float)
    # T(h) = exp(-ln²(h/h*(p, f)) / 2s_h²), h*(p, f) = h* (p/p*)^k_p exp(k_f (f - f*))
    log_best_h = (math.log(response.thickness_nm) + response.thickness_period_slope * np.log(p / response.period_nm)
                  + response.thickness_fraction_slope * (f - response.inorganic_fraction))
    thickness_term = np.exp(-(np.log(h) - log_best_h) ** 2 / (2.0 * response.thickness_width ** 2))
    # P(p) = exp(-ln²(p/p*) / 2s_p²)
    period_term = np.exp(-np.log(p / response.period_nm) ** 2 / (2.0 * response.period_width ** 2))
    # C(f) = exp(-(f - f*)² / 2s_f²)
    fraction_term = np.exp(-(f - response.inorganic_fraction) ** 2 / (2.0 * response.fraction_width ** 2))
    # S(p) = 1 - c_lam · sigmoid((p - p_alloy) / w); c_lam < 0 reverses the step: alloys lose |c_lam|
    laminate = 1.0 / (1.0 + np.exp(-(p - alloy_max_period_nm) / LAMINATE_TRANSITION_NM))
    c = response.laminate_penalty
    structure_term = 1.0 - c * laminate if c >= 0.0 else 1.0 + c * (1.0 - laminate)
    gain = response.gain * thickness_term * period_term * fraction_term * structure_term
    return math.log(response.bare_lifetime_h) + np.where(coated, gain, 0.0)


class SimulatedLab:
    """A lab with a known truth: call it to test one cell, ``truth`` for the noise-free median lifetime."""

    def __init__(self, name: str, responses: dict[str, MetalResponse], chemistry: Chemistry = AL2O3_ALUCONE):
        self.name = name
        self.responses = dict(responses)
        self.chemistry = chemistry

    def __repr__(self) -> str:
        return f"SimulatedLab({self.name!r})"

    def response(self, metal: str) -> MetalResponse:
        try:
            return self.responses[metal]
        except KeyError:
            raise LabError(f"{self.name} has no cells for metal {metal!r}; it knows {', '.join(self.responses)}") from None

    def cutoff_h(self, metal: str) -> float:
        return self.response(metal).cutoff_h

    def uncensored(self) -> "SimulatedLab":
        """The same lab with tests that run until every cell shorts (for held-out checks)."""
        return SimulatedLab(f"{self.name} uncensored",
                            {metal: replace(r, cutoff_h=math.inf) for metal, r in self.responses.items()}, self.chemistry)

    def truth(self, metal: str, ald_cycles: int, mld_cycles: int, supercycles: int) -> float:
        """Median lifetime in hours of ``metal@(aALD-bMLD)n``, without scatter or cutoff."""
        recipe = Recipe(metal, int(ald_cycles), int(mld_cycles), int(supercycles), self.chemistry)
        return float(np.exp(self.log_truth(metal, [recipe])[0]))

    def log_truth(self, metal: str, recipes) -> np.ndarray:
        """ln median lifetime (hours) of many recipes at once."""
        recipes = list(recipes)
        return log_lifetime(self.response(metal),
                            [r.thickness_nm for r in recipes], [r.unit_period_nm for r in recipes],
                            [r.inorganic_fraction for r in recipes], self.chemistry.alloy_max_period_nm)

    def __call__(self, metal: str, ald_cycles: int, mld_cycles: int, supercycles: int,
                 rng: np.random.Generator) -> tuple[float, bool]:
        """One cell: lifetime = truth · exp(scatter · z), z ~ N(0, 1); at or past the cutoff it is censored."""
        response = self.response(metal)
        lifetime_h = self.truth(metal, ald_cycles, mld_cycles, supercycles) * math.exp(response.scatter * rng.standard_normal())
        if lifetime_h >= response.cutoff_h:
            return response.cutoff_h, True
        return lifetime_h, False


# Paper: Na best at (1-1)10 ≈ 4 nm (unit 0.4 nm); the thin film wins in every unit group. Bare Na
# shorts at ≈100 h; Na@(1-1)10 ran past 2000 h (here G = ln 26 and (1-1)10 reaches ≈2400 h).
# A 1-1 unit has f = 0.11/0.40 = 0.275. Cell scatter of ln L ≈ 0.3 (symmetric cells typically ±30 %, assumption).
_PAPER_NA = MetalResponse(bare_lifetime_h=100.0, gain=math.log(26.0), thickness_nm=4.0, thickness_width=1.2,
                          period_nm=0.4, period_width=1.0, inorganic_fraction=0.3, fraction_width=0.35,
                          laminate_penalty=0.4, cutoff_h=3000.0, scatter=0.3)
# Paper: Li best at (2-2)25 ≈ 20 nm (unit 0.8 nm: stiffer and stronger than (1-1)50 at equal
# thickness, which suits Li's higher dendrite pressure); bare Li 270 h; Li@(2-2)25 > 500 h (here
# ≈ 870 h).
_PAPER_LI = MetalResponse(bare_lifetime_h=270.0, gain=math.log(1000.0 / 270.0), thickness_nm=20.0,
                          thickness_width=0.8, period_nm=0.8, period_width=1.0, inorganic_fraction=0.3,
                          fraction_width=0.3, laminate_penalty=0.4, cutoff_h=1500.0, scatter=0.3)

paper_lab = SimulatedLab("paper_lab", {"Na": _PAPER_NA, "Li": _PAPER_LI})

# The physics says Li needs thicker, stiffer films than Na. Here it is the other way round: Li
# lives longest under a thin (≈6 nm) inorganic-rich alloy such as (3-1)10, Na under a thick (≈16 nm)
# laminate such as (4-4)10, and laminates carry no penalty.
misleading_physics_lab = SimulatedLab("misleading_physics_lab", {
    "Na": MetalResponse(bare_lifetime_h=100.0, gain=math.log(24.0), thickness_nm=16.0, thickness_width=1.0,
                        period_nm=1.6, period_width=0.8, inorganic_fraction=0.3, fraction_width=0.3,
                        laminate_penalty=0.0, cutoff_h=3000.0, scatter=0.3),
    "Li": MetalResponse(bare_lifetime_h=270.0, gain=math.log(1000.0 / 270.0), thickness_nm=6.0,
                        thickness_width=0.8, period_nm=0.6, period_width=0.8, inorganic_fraction=0.55,
                        fraction_width=0.25, laminate_penalty=0.4, cutoff_h=1500.0, scatter=0.3),
})


# The paper's truth, but cells scatter twice as much and the test stops early: Na at 1500 h (the
# paper's Na cells at 3 mA cm⁻² were still running at 1500 h), Li at 500 h (as the paper's
# Li@(2-2)25). Every recipe within 90 % of either optimum is then censored at its median.
noisy_lab = SimulatedLab("noisy_lab", {"Na": replace(_PAPER_NA, cutoff_h=1500.0, scatter=0.6),
                                       "Li": replace(_PAPER_LI, cutoff_h=500.0, scatter=0.6)})

# The physics (SuppressionPrior as it stood before issues 17 and 24) asked Na for 4.0 nm and Li for 24 nm of
# the reference (1-1) unit (it now asks Na for 5.0 and Li for 6.4 nm; the lab stays as defined). This
# reactor's alucone is softer than the models assume: its films last longest as Al2O3-rich alloys
# (≈ (4-1): unit 0.73 nm, 60 % Al2O3) at 0.6 × each metal's scale, Na ≈ 2.4 nm and Li ≈ 14 nm. The
# metals differ in scale and gain, as in the paper lab, and share the film's departure from the physics.
SHARED_FILM_SCALE = 0.6


def _shared_film(thickness_scale_nm: float, metal: MetalResponse) -> MetalResponse:
    return replace(metal, thickness_nm=SHARED_FILM_SCALE * thickness_scale_nm, thickness_width=0.8, period_nm=0.75,
                   period_width=0.8, inorganic_fraction=0.6, fraction_width=0.15)


shared_film_lab = SimulatedLab("shared_film_lab", {"Na": _shared_film(4.0, _PAPER_NA), "Li": _shared_film(24.0, _PAPER_LI)})

LABS: dict[str, SimulatedLab] = {lab.name: lab for lab in (paper_lab, misleading_physics_lab, noisy_lab, shared_film_lab)}


# --- the family of generated labs --------------------------------------------------------------
# Policies are tuned on TUNING_FAMILY_SEEDS only; HELD_OUT_FAMILY_SEEDS are never tuned on and carry
# the reported figures. Both slices are fixed here so that a figure names the slice it came from.
TUNING_FAMILY_SEEDS = range(100, 150)
HELD_OUT_FAMILY_SEEDS = range(0, 50)
FAMILY_METALS = ("Li", "Na")
# Ranges each lab's parameters are drawn from (log-uniform where a ratio, uniform otherwise).
FAMILY_THICKNESS_NM = (1.0, 35.0)
FAMILY_BARE_H = {"Li": (150.0, 400.0), "Na": (50.0, 200.0)}
FAMILY_GAIN_RATIO = (3.0, 30.0)          # best / bare lifetime, e^G
FAMILY_SCATTER = (0.15, 0.5)
FAMILY_CUTOFF_RATIO = (0.4, 2.0)         # test cutoff / the best recipe's lifetime
FAMILY_UNIT_CYCLES = range(1, 11)        # the units the optimum is drawn from: the default space's


@cache
def _space_films(metal: str, chemistry: Chemistry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    recipes = DesignSpace(metal, chemistry=chemistry.name).recipes()
    return (np.array([r.thickness_nm for r in recipes]), np.array([r.unit_period_nm for r in recipes]),
            np.array([r.inorganic_fraction for r in recipes]))


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def _family_unit(rng: np.random.Generator, thickness_nm: float, chemistry: Chemistry) -> tuple[float, float]:
    """The best unit's period and inorganic fraction: any unit of which one supercycle fits in h*."""
    g_ald, g_mld = chemistry.inorganic_growth_nm_per_cycle, chemistry.organic_growth_nm_per_cycle
    units = [(a, b) for a in FAMILY_UNIT_CYCLES for b in FAMILY_UNIT_CYCLES if a * g_ald + b * g_mld <= thickness_nm]
    a, b = units[int(rng.integers(len(units)))]
    period_nm = a * g_ald + b * g_mld
    # a little off the grid: the bells' peaks need not sit on a unit
    return period_nm * math.exp(rng.normal(0.0, 0.05)), float(np.clip(a * g_ald / period_nm + rng.normal(0.0, 0.02), 0.02, 0.98))


def family_response(seed: int, metal: str, chemistry: Chemistry = AL2O3_ALUCONE) -> MetalResponse:
    """One metal's response in family lab ``seed``: deterministic per (seed, metal)."""
    rng = np.random.default_rng([seed, FAMILY_METALS.index(metal) if metal in FAMILY_METALS else len(metal) + 7])
    thickness_nm = _log_uniform(rng, *FAMILY_THICKNESS_NM)
    period_nm, fraction = _family_unit(rng, thickness_nm, chemistry)
    # the alloy/laminate step: as in the paper (laminates lose), absent, or reversed (alloys lose)
    step = int(rng.integers(3))
    laminate_penalty = (rng.uniform(0.2, 0.5), 0.0, -rng.uniform(0.2, 0.5))[step]
    response = MetalResponse(
        bare_lifetime_h=_log_uniform(rng, *FAMILY_BARE_H.get(metal, FAMILY_BARE_H["Li"])),
        gain=math.log(_log_uniform(rng, *FAMILY_GAIN_RATIO)), thickness_nm=thickness_nm,
        thickness_width=rng.uniform(0.35, 1.0), period_nm=period_nm, period_width=rng.uniform(0.4, 1.2),
        inorganic_fraction=fraction, fraction_width=rng.uniform(0.1, 0.35), laminate_penalty=float(laminate_penalty),
        cutoff_h=math.inf, scatter=rng.uniform(*FAMILY_SCATTER),
        thickness_period_slope=rng.uniform(-1.0, 1.0), thickness_fraction_slope=rng.uniform(-1.5, 1.5))
    best_h = float(np.exp(log_lifetime(response, *_space_films(metal, chemistry), chemistry.alloy_max_period_nm).max()))
    return replace(response, cutoff_h=best_h * _log_uniform(rng, *FAMILY_CUTOFF_RATIO))


class LabFamily:
    """Simulated labs drawn from a seed: ``family.lab(seed)`` (or ``family(seed)``) is a ``SimulatedLab``.

    The same seed gives the same lab. See the module docstring for what varies; the test cutoff is
    set against the best recipe of the default design space (a, b = 1..10, h ≤ 40 nm).
    """

    def __init__(self, name: str = "family", metals: tuple[str, ...] = FAMILY_METALS, chemistry: Chemistry = AL2O3_ALUCONE):
        self.name = name
        self.metals = tuple(metals)
        self.chemistry = chemistry

    def __repr__(self) -> str:
        return f"LabFamily({self.name!r})"

    def lab(self, seed: int) -> SimulatedLab:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise LabError(f"a family lab's seed is a whole number >= 0, got {seed!r}")
        return SimulatedLab(f"{self.name}[{int(seed)}]",
                            {metal: family_response(int(seed), metal, self.chemistry) for metal in self.metals},
                            self.chemistry)

    __call__ = lab


family = LabFamily()


def resolve_lab(spec: str) -> Callable:
    """The lab named ``module:attribute`` (``interlayer.evaluation.labs:paper_lab``), or a name in LABS."""
    if not isinstance(spec, str) or not spec:
        raise LabError(f"a lab is named 'module:function', got {spec!r}")
    if ":" not in spec:
        if spec in LABS:
            return LABS[spec]
        raise LabError(f"lab {spec!r} is neither 'module:function' nor one of {', '.join(LABS)}")
    module_name, _, attribute = spec.partition(":")
    try:
        module = import_module(module_name)
    except ImportError as error:
        raise LabError(f"cannot import lab module {module_name!r}: {error}") from None
    lab = getattr(module, attribute, None)
    if not callable(lab):
        raise LabError(f"{module_name!r} has no callable {attribute!r}")
    return lab
