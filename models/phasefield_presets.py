"""Named phase-field parameter sets: the physical default and one NON-PHYSICAL set kept for comparison.

``physical`` (the default): ``PhaseFieldConfig()``, SI parameters with sources (``PARAMETER_SOURCES``).
At the paper's set-up it is in the regime where transport cannot grow a 4 nm bump (Damköhler ≈ 1e-5,
marginal wavelength ≈ 6 µm; ``phasefield_regime``): bare, the bump decays by capillarity (A/A0 0.76
Li, 0.79 Na), and a film, stress-free on the initial bump, only holds it back (A/A0 slightly above 1,
thinner films more). Paper Fig. 4e's ordering (films smooth the bump below the bare control) does not
follow.

``hong-viswanathan-read-in-nm`` — NON-PHYSICAL. Hong & Viswanathan's (ACS Energy Lett. 3 (2018) 1737)
normalized set is in length 1 µm, time 1 s, energy density RT c0; this preset reads its lengths in nm,
the slip of this project's first version (and, we infer, of the paper's Fig. 4: its Supporting
Information is not available): κ 0.3 and W 2.4 in RT c0·nm² and RT c0 (γ = 5.0e-4 J m⁻², 1000× below
a metal's), L_σ 0.5 and L_η 0.1 s⁻¹ (the first version's), D_l 318 and D_s 0.75 nm² s⁻¹ (1e6× below an
electrolyte's), c_s/c0 76.4. The electrolyte is then 10⁶ times too slow, so transport limits plating at
the bump's own scale (Damköhler ≈ 1, λ_c ≈ 0.8 nm ≪ the bump): the bare bump grows, and a film's
stiffness, which falls with wavelength as k⁴, acts at exactly that scale and holds growth back, more
the thicker it is: A/A0 bare > (1-1)25 > (1-1)50 > 1 on both metals, the paper's Fig. 4e ordering.
"""

from __future__ import annotations

from .electrochem import GAS_CONSTANT_J_PER_MOL_K, ROOM_TEMPERATURE_K
from .errors import SimulationInputError
from .phasefield import FARADAY_C_PER_MOL, PhaseFieldConfig

PHYSICAL = "physical"
HONG_VISWANATHAN_READ_IN_NM = "hong-viswanathan-read-in-nm"
# presets that do not describe a real cell; results carry ``physical: false``
NON_PHYSICAL = (HONG_VISWANATHAN_READ_IN_NM,)

# H&V's unit of energy density, RT c0 at c0 = 1 mol L⁻¹ (J m⁻³)
_RT_C0_J_M3 = GAS_CONSTANT_J_PER_MOL_K * ROOM_TEMPERATURE_K * 1000.0
_NM_M = 1e-9
# c_s/c0 = 76.4 (Chen 2015, H&V) with c0 = 1000 mol m⁻³
_SITES_MOL_M3 = 76.4 * 1000.0


def _hong_viswanathan_read_in_nm() -> PhaseFieldConfig:
    gradient, barrier = 0.3, 2.4              # κ [RT c0 nm²], W [RT c0]
    interface_mobility, reaction_rate = 0.5, 0.1   # L_σ [1/(RT c0 s)], L_η [1/s]
    width_nm = (8.0 * gradient / barrier) ** 0.5   # δ = √(8κ/W) = 1 nm
    return PhaseFieldConfig(
        # γ = √(2κW)/6 in RT c0·nm
        interface_energy_j_m2=(2.0 * gradient * barrier) ** 0.5 / 6.0 * _RT_C0_J_M3 * _NM_M,
        interface_width_m=width_nm * _NM_M,
        interface_mobility_m3_j_s=interface_mobility / _RT_C0_J_M3,
        # i0 = 1.5 F c_s L_η δ
        exchange_current_density_a_m2=1.5 * FARADAY_C_PER_MOL * _SITES_MOL_M3 * reaction_rate * width_nm * _NM_M,
        site_density_mol_m3=_SITES_MOL_M3,
        electrolyte_diffusivity_m2_s=318.0 * _NM_M**2,
        metal_diffusivity_m2_s=0.75 * _NM_M**2,
    )


# What each preset reproduces of the paper's Fig. 4 and why (results carry it as ``paper_figures``).
PAPER_FIGURES = {
    PHYSICAL: "reproduces Fig. 4c (the bump under a film) and Fig. 4e's ranking among films ((1-1)10 leaves the "
              "largest bump, 25 and 50 alike); not Fig. 4e's smoothing below the bare control nor Fig. 4f's "
              "compression at the tip: at a 4 nm bump transport cannot grow anything (Damköhler ≈ 1e-5, marginal "
              "wavelength ≈ 6 µm), capillarity flattens the bare bump, and a film, stress-free on it, can only "
              "hold it back (compression at the foot, tension at the tip)",
    HONG_VISWANATHAN_READ_IN_NM: "NON-PHYSICAL (µm-normalized parameters read in nm: the electrolyte 10⁶× too "
                                 "slow, Damköhler ≈ 1): reproduces Fig. 4e's ordering bare > (1-1)25 > (1-1)50 > 1",
}

PRESETS: dict[str, PhaseFieldConfig] = {PHYSICAL: PhaseFieldConfig(), HONG_VISWANATHAN_READ_IN_NM: _hong_viswanathan_read_in_nm()}


def preset(name: str) -> PhaseFieldConfig:
    """The configuration named ``name`` (``PRESETS``)."""
    try:
        return PRESETS[name]
    except KeyError:
        raise SimulationInputError(f"unknown phase-field preset {name!r}; known: {', '.join(PRESETS)}") from None
