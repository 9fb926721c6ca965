"""Mechanical properties of an ALD/MLD film from its recipe.

The paper's AFM findings (Fig. S24) that these formulas must express:
- in-plane stiffness rises with thickness (size effect);
- thin films are tougher per unit thickness: normalized fracture force and toughness fall with h;
- at ≈20 nm the alloy (2-2)25 is stiffer and stronger than the alloy (1-1)50 and the laminate (5-5)10.
Every constant below states its source or is marked as an assumption; all live in
``FilmConstants`` and can be overridden, and every derived property can be overridden per film.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from .errors import FilmParameterError, require_positive
from .recipe import AL2O3_ALUCONE, Chemistry, Recipe, unit_structure


@dataclass(frozen=True)
class FilmConstants:
    """Size-effect and fracture constants (all assumptions sized to the paper's AFM trends)."""

    # E(h) = E_bulk · h / (h + h_s): surface layers softer than the bulk; h_s ≈ a few monolayers.
    size_effect_length_nm: float = 1.5
    # Inorganic connectivity of an alloy unit χ = 1 − exp(−a·g_ALD/δ_c): a sub-monolayer ALD dose
    # (1 cycle ≈ 0.11 nm) bridges the organic matrix only partly; δ_c ≈ one Al–O monolayer.
    connectivity_length_nm: float = 0.2
    # Weibull size effect on the failure strain ε_f(h) = ε_ref (h_ref/h)^(1/m): a thinner film has
    # fewer flaws under the tip.
    reference_failure_strain: float = 0.02
    reference_thickness_nm: float = 10.0
    weibull_modulus: float = 5.0
    # Work of fracture over the elastic energy at failure: the alucone network deforms plastically
    # before failure (paper: strain hardening). 6 gives Gc ≈ 0.5 J m⁻² for a 10 nm (1-1) film.
    plastic_work_ratio: float = 6.0

    def __post_init__(self) -> None:
        for f in fields(self):
            require_positive(f.name, getattr(self, f.name))


DEFAULT_CONSTANTS = FilmConstants()


@dataclass(frozen=True)
class Film:
    """An elastic film as the mechanics models see it.

    ``modulus_gpa`` is the isotropic modulus the models use; for a laminate the in-plane (Voigt,
    iso-strain) and through-thickness (Reuss, iso-stress) bounds are kept beside it.
    ``strength_mpa`` and ``fracture_energy_j_m2`` set the cohesive (traction–separation) law.
    """

    thickness_nm: float
    modulus_gpa: float
    modulus_in_plane_gpa: float
    modulus_through_thickness_gpa: float
    poisson_ratio: float
    strength_mpa: float
    fracture_energy_j_m2: float
    structure: str = "nanoalloy"

    def __post_init__(self) -> None:
        for name in ("thickness_nm", "modulus_gpa", "modulus_in_plane_gpa", "modulus_through_thickness_gpa",
                     "strength_mpa", "fracture_energy_j_m2"):
            require_positive(name, getattr(self, name))
        nu = self.poisson_ratio
        if not isinstance(nu, (int, float)) or math.isnan(nu) or not -1.0 < nu < 0.5:
            raise FilmParameterError(f"poisson_ratio must lie in (-1, 0.5), got {nu!r}")

    @classmethod
    def from_recipe(cls, recipe: Recipe, constants: FilmConstants = DEFAULT_CONSTANTS, **overrides: float) -> "Film":
        """The film a coated recipe grows; ``overrides`` replace derived properties by name."""
        if recipe.is_bare:
            raise FilmParameterError(f"{recipe} has no film")
        film = _film(recipe.ald_cycles, recipe.mld_cycles, recipe.thickness_nm, recipe.chemistry, constants)
        return film.with_overrides(**overrides)

    @classmethod
    def from_thickness(cls, thickness_nm: float, ald_cycles: int = 1, mld_cycles: int = 1,
                       chemistry: Chemistry = AL2O3_ALUCONE, constants: FilmConstants = DEFAULT_CONSTANTS,
                       **overrides: float) -> "Film":
        """A film of the given unit at any thickness, e.g. a (1ALD-1MLD) alloy of 7 nm."""
        thickness_nm = require_positive("thickness_nm", thickness_nm)
        if ald_cycles < 0 or mld_cycles < 0 or ald_cycles + mld_cycles == 0:
            raise FilmParameterError(f"a unit needs non-negative cycles, not both zero: ({ald_cycles}ALD-{mld_cycles}MLD)")
        return _film(ald_cycles, mld_cycles, thickness_nm, chemistry, constants).with_overrides(**overrides)

    def with_overrides(self, **overrides: float) -> "Film":
        """A copy with some properties replaced; unknown names and bad values raise FilmParameterError."""
        known = {f.name for f in fields(self)} - {"structure"}
        unknown = set(overrides) - known
        if unknown:
            raise FilmParameterError(f"unknown film propert{'y' if len(unknown) == 1 else 'ies'}: {', '.join(sorted(unknown))}")
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **given) if given else self

    @property
    def plate_rigidity_n_m(self) -> float:
        """Bending rigidity D = E h³ / (12 (1 − ν²)) in N·m."""
        h_m = self.thickness_nm * 1e-9
        return self.modulus_gpa * 1e9 * h_m**3 / (12.0 * (1.0 - self.poisson_ratio**2))

    def as_dict(self) -> dict[str, float | str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _film(ald_cycles: int, mld_cycles: int, thickness_nm: float, chemistry: Chemistry,
          constants: FilmConstants) -> Film:
    inorganic_nm = ald_cycles * chemistry.inorganic_growth_nm_per_cycle
    organic_nm = mld_cycles * chemistry.organic_growth_nm_per_cycle
    period_nm = inorganic_nm + organic_nm
    fraction = inorganic_nm / period_nm
    e_in, e_org = chemistry.inorganic_modulus_gpa, chemistry.organic_modulus_gpa
    # Voigt (iso-strain) and Reuss (iso-stress) bounds of the two-phase mixture.
    voigt_gpa = fraction * e_in + (1.0 - fraction) * e_org
    reuss_gpa = 1.0 / (fraction / e_in + (1.0 - fraction) / e_org)
    poisson = fraction * chemistry.inorganic_poisson_ratio + (1.0 - fraction) * chemistry.organic_poisson_ratio

    structure = unit_structure(ald_cycles, mld_cycles, chemistry)
    if structure == "single":
        bulk_gpa = in_plane_gpa = through_gpa = voigt_gpa
    elif structure == "nanoalloy":
        # χ = 1 − exp(−a g_ALD / δ_c): how far the inorganic phase bridges the matrix.
        connectivity = 1.0 - math.exp(-inorganic_nm / constants.connectivity_length_nm)
        # A homogeneous alloy is isotropic, between the bounds by its connectivity.
        bulk_gpa = in_plane_gpa = through_gpa = reuss_gpa + connectivity * (voigt_gpa - reuss_gpa)
    else:
        in_plane_gpa, through_gpa = voigt_gpa, reuss_gpa
        # Distinct layers load both ways under a tip or a blister: the Hill average of the bounds.
        bulk_gpa = 0.5 * (voigt_gpa + reuss_gpa)

    # E(h) = E_bulk · h / (h + h_s)
    size_factor = thickness_nm / (thickness_nm + constants.size_effect_length_nm)
    modulus_gpa = bulk_gpa * size_factor
    # ε_f(h) = ε_ref (h_ref / h)^(1/m)
    failure_strain = constants.reference_failure_strain * (
        constants.reference_thickness_nm / thickness_nm) ** (1.0 / constants.weibull_modulus)
    # σ_f = E(h) ε_f(h)
    strength_mpa = modulus_gpa * 1e3 * failure_strain
    # G_c = χ_p · σ_f ε_f h / 2: work of fracture per area, elastic part times the plastic ratio.
    fracture_energy_j_m2 = constants.plastic_work_ratio * strength_mpa * 1e6 * failure_strain * thickness_nm * 1e-9 / 2.0
    return Film(
        thickness_nm=thickness_nm,
        modulus_gpa=modulus_gpa,
        modulus_in_plane_gpa=in_plane_gpa * size_factor,
        modulus_through_thickness_gpa=through_gpa * size_factor,
        poisson_ratio=poisson,
        strength_mpa=strength_mpa,
        fracture_energy_j_m2=fracture_energy_j_m2,
        structure=structure,
    )
