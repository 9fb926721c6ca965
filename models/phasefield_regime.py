"""Which regime a phase-field run is in: closed forms read off its parameters (issue 24).

A bump grows only where transport outpaces capillarity. Four numbers say whether a run can show
that, each at the run's overpotential η, bulk concentration c_b and bump size R (the radius of the
bump; λ/2π of a sine):

- Damköhler Da = i R/(F D_l c_b): the concentration drop the plating current i causes across R over
  c_b. Da ≪ 1: transport is instant on the bump's scale; nothing amplifies it.
- Wagner Wa = σ_l RT/(α F i R): the electrolyte's ohmic resistance over R against the Tafel
  resistance RT/(αF i). Wa ≫ 1: the potential field is uniform over the bump (the model's binary
  electrolyte has σ_l = 2F²D_l c_b/RT: 2.4 S m⁻¹; Chen's 1.19 S m⁻¹ halves Wa).
- Marginal Mullins–Sekerka wavelength λ_c = 2π √(V_η d0/(V_c G̃)): surface waves longer than λ_c
  grow, shorter ones decay. G̃ = c_s v/(2 D_l c0) is the gradient of c/c0 that feeds the front
  (binary electrolyte: flux 2D∇c), V_c = ∂v/∂(c/c0) = (i0/F c_s) e^{−αfη} how the front answers it,
  V_η = ∂v/∂(Δμ/RT) how it answers a shift of chemical potential, and d0 = γΩ/RT the capillary
  length (a curvature K shifts Δμ by γΩK).
- Capillary decay rate of the bump ω = −L_σκ/R² (a sine: −L_σκk²): the tip of a bump of radius R
  recedes at L_σκ/R, so its height decays at that rate over R. With the Gibbs–Thomson L_σ,
  L_σκ = V_η γΩ/RT.
"""

from __future__ import annotations

import math

from .electrochem import FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K, metal as lookup_metal, thermal_voltage_v


def feature_size_m(config) -> float:
    """R: the bump's radius, or λ/2π of a sine perturbation."""
    if config.perturbation_shape == "sine":
        return config.width_nm * 1e-9 / (2.0 * math.pi)
    return config.perturbation_radius_nm * 1e-9


def regime_diagnostics(metal: str, config, overpotential_v: float) -> dict[str, float | str | None]:
    """Damköhler, Wagner, marginal wavelength and capillary decay rate of a run, with a one-line reading.

    ``config`` is a ``PhaseFieldConfig`` resolved for ``metal`` at ``overpotential_v``. A number a run
    does not define (no perturbation; no plating current at equilibrium) is None.
    """
    si = config.si_parameters(metal, overpotential_v)
    rt_j_mol = GAS_CONSTANT_J_PER_MOL_K * config.temperature_k
    alpha, c_s = config.transfer_coefficient, si["site_density_mol_m3"]
    f_eta = overpotential_v / thermal_voltage_v(config.temperature_k)
    c_b = config.bulk_concentration_mol_m3
    c_ratio = c_b / config.reference_concentration_mol_m3
    d_l = config.electrolyte_diffusivity_m2_s
    size_m = feature_size_m(config)
    exchange_velocity_m_s = config.exchange_current_density_a_m2 / (FARADAY_C_PER_MOL * c_s)
    # i = i0 [c̃ e^{−αfη} − e^{(1−α)fη}]
    current_a_m2 = config.exchange_current_density_a_m2 * (
        c_ratio * math.exp(-alpha * f_eta) - math.exp((1.0 - alpha) * f_eta))
    # Da = i R / (F D_l c_b)
    damkohler = current_a_m2 * size_m / (FARADAY_C_PER_MOL * d_l * c_b)
    # σ_l = 2 F² D_l c_b / RT (binary electrolyte, both ions at D_l)
    conductivity_s_m = 2.0 * FARADAY_C_PER_MOL**2 * d_l * c_b / rt_j_mol
    # Wa = σ_l R T / (α F i R)
    wagner = _ratio(conductivity_s_m * rt_j_mol, alpha * FARADAY_C_PER_MOL * current_a_m2 * size_m)
    # V_η = (i0/F c_s)(α c̃ e^{−αfη} + (1−α) e^{(1−α)fη}),  V_c = (i0/F c_s) e^{−αfη}
    v_eta_m_s = exchange_velocity_m_s * (alpha * c_ratio * math.exp(-alpha * f_eta)
                                         + (1.0 - alpha) * math.exp((1.0 - alpha) * f_eta))
    v_c_m_s = exchange_velocity_m_s * math.exp(-alpha * f_eta)
    omega_m3_mol = lookup_metal(metal).deposit_molar_volume_cm3_mol * 1e-6
    # d0 = γ Ω / R T
    capillary_length_m = si["interface_energy_j_m2"] * omega_m3_mol / rt_j_mol
    velocity_m_s = current_a_m2 / (FARADAY_C_PER_MOL * c_s)
    # G̃ = c_s v / (2 D_l c0)
    gradient_1_m = c_s * velocity_m_s / (2.0 * d_l * config.reference_concentration_mol_m3)
    # λ_c = 2π √(V_η d0 / (V_c G̃))
    squared = _ratio(v_eta_m_s * capillary_length_m, v_c_m_s * gradient_1_m)
    marginal_m = None if squared is None else 2.0 * math.pi * math.sqrt(squared)
    # ω = −L_σ κ / R²
    capillary_rate_1_s = _ratio(-si["interface_mobility_m3_j_s"] * si["gradient_coefficient_j_m"], size_m**2)
    plating_time_s = _ratio(config.plated_thickness_nm * 1e-9, velocity_m_s)
    values = {
        "current_density_a_m2": current_a_m2,
        "feature_size_nm": size_m * 1e9,
        "damkohler": damkohler,
        "wagner": wagner,
        "electrolyte_conductivity_s_m": conductivity_s_m,
        "marginal_wavelength_m": marginal_m,
        "capillary_length_m": capillary_length_m,
        "capillary_decay_rate_1_s": capillary_rate_1_s,
        "plating_time_s": plating_time_s,
        # e^{ω t}: the bump's A/A0 if capillarity alone acted over the plating time
        "capillary_amplitude_ratio": None if None in (capillary_rate_1_s, plating_time_s)
        else math.exp(capillary_rate_1_s * plating_time_s),
    }
    return values | {"reading": _reading(values)}


def _ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, None where the denominator vanishes (JSON has no infinity)."""
    return numerator / denominator if denominator > 0 else None


def _reading(v: dict[str, float | None]) -> str:
    """One line: can transport grow this bump, and what shapes it instead."""
    if v["feature_size_nm"] == 0.0:
        return "flat surface: no perturbation to grow or decay"
    if v["marginal_wavelength_m"] is None or v["capillary_amplitude_ratio"] is None:
        return (f"no net plating at this overpotential: the perturbation only relaxes by capillarity "
                f"(ω = {v['capillary_decay_rate_1_s']:.3g} s⁻¹)")
    wavelength_um, size_nm = v["marginal_wavelength_m"] * 1e6, v["feature_size_nm"]
    if 2.0 * math.pi * size_nm * 1e-3 < wavelength_um and v["damkohler"] < 0.1:
        return (f"transport cannot grow this bump (Da {v['damkohler']:.1e}; waves shorter than λ_c = "
                f"{wavelength_um:.3g} µm decay, the bump is {size_nm:g} nm): capillarity flattens it "
                f"(alone to A/A0 {v['capillary_amplitude_ratio']:.2f} over the {v['plating_time_s']:.2g} s of plating) "
                f"and a film can only hold it back, so the film's effect is capillary only")
    return (f"transport can grow this perturbation (Da {v['damkohler']:.2g}, λ_c = {wavelength_um:.3g} µm against "
            f"2πR = {2e-3 * math.pi * size_nm:.3g} µm): a film's stress competes with growth")
