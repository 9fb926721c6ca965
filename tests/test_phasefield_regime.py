"""The phase field's regime (issue 24): diagnostics against their closed forms, the capillary dispersion."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interlayer.models.electrochem import metal as lookup_metal
from interlayer.models.phasefield import PhaseFieldConfig, simulate_phasefield

FARADAY, GAS, TEMPERATURE = 96485.33212, 8.314462618, 298.15


def closed_forms(metal: str, eta_v: float = -0.1) -> dict[str, float]:
    """Da, Wa, λ_c and the bump's capillary rate at the defaults, written out from the issue's formulas."""
    data, config = lookup_metal(metal), PhaseFieldConfig()
    rt = GAS * TEMPERATURE
    f_eta = eta_v * FARADAY / rt
    i0, c0, d_l, radius = 11.1, 1000.0, 3.197e-10, 4e-9
    c_s, omega, gamma, delta = 1e6 / data.molar_volume_cm3_mol, data.deposit_molar_volume_cm3_mol * 1e-6, \
        data.surface_energy_j_m2, 1e-9
    current = i0 * (math.exp(-0.5 * f_eta) - math.exp(0.5 * f_eta))
    v_eta = i0 / (FARADAY * c_s) * 0.5 * (math.exp(-0.5 * f_eta) + math.exp(0.5 * f_eta))
    v_c = i0 / (FARADAY * c_s) * math.exp(-0.5 * f_eta)
    growth = c_s * current / (FARADAY * c_s) / (2.0 * d_l * c0)
    l_sigma = v_eta * omega / (1.5 * delta * rt)
    assert config.interface_mobility_m3_j_s is None     # the default is Gibbs–Thomson's
    return {
        "damkohler": current * radius / (FARADAY * d_l * c0),
        "wagner": 2.0 * FARADAY**2 * d_l * c0 / rt * rt / (0.5 * FARADAY * current * radius),
        "marginal_wavelength_m": 2.0 * math.pi * math.sqrt(v_eta * gamma * omega / rt / (v_c * growth)),
        "capillary_decay_rate_1_s": -l_sigma * 1.5 * gamma * delta / radius**2,
        "interface_mobility_m3_j_s": l_sigma,
    }


@pytest.mark.parametrize("metal", ["Li", "Na"])
def test_regime_diagnostics_match_their_closed_forms(metal):
    result = simulate_phasefield(metal, None).summary()
    regime, expected = result, closed_forms(metal)
    for key in ("damkohler", "wagner", "marginal_wavelength_m", "capillary_decay_rate_1_s"):
        assert regime[key] == pytest.approx(expected[key], rel=0.01), key
    assert result["parameters"]["interface_mobility_m3_j_s"] == pytest.approx(expected["interface_mobility_m3_j_s"], rel=0.01)
    # the figures: Da ~1e-5, λ_c of micrometres, so the 4 nm bump cannot grow
    assert 5e-6 < regime["damkohler"] < 2e-5
    assert 4e-6 < regime["marginal_wavelength_m"] < 1e-5
    assert regime["regime"].startswith("transport cannot grow this bump")
    # Li 1.87e-8, Na 5.77e-8 m³ J⁻¹ s⁻¹ at −0.1 V (issue: about 1.9e-8 and 5.8e-8)
    assert expected["interface_mobility_m3_j_s"] == pytest.approx({"Li": 1.9e-8, "Na": 5.8e-8}[metal], rel=0.03)


@pytest.mark.parametrize("metal", ["Li", "Na"])
@pytest.mark.parametrize("wavelength_nm", [16.0, 32.0])
def test_a_small_sine_on_bare_metal_decays_at_the_capillary_rate(metal, wavelength_nm):
    """At equilibrium (η = 0, c = c0) a sine of amplitude 0.25 nm decays as e^{ωt}, ω = −L_σκk²."""
    config = PhaseFieldConfig(width_nm=wavelength_nm, height_nm=16.0, base_height_nm=8.0, perturbation_radius_nm=0.25,
                              perturbation_shape="sine", plated_thickness_nm=1.0, max_time_s=1.0)
    run = simulate_phasefield(metal, None, overpotential_v=0.0, config=config)
    si = run.parameters_si
    k_1_m = 2.0 * math.pi / (wavelength_nm * 1e-9)
    expected = -si["interface_mobility_m3_j_s"] * si["gradient_coefficient_j_m"] * k_1_m**2
    late = run.time_s > 0.02     # after the profile's own relaxation
    measured = np.polyfit(run.time_s[late], np.log(run.amplitude_nm[late]), 1)[0]
    assert run.amplitude_nm[-1] < 0.95 * run.amplitude_nm[0]
    assert measured == pytest.approx(expected, rel=0.05)
    assert run.summary()["capillary_decay_rate_1_s"] == pytest.approx(expected, rel=1e-9)


def test_the_regime_of_a_flat_front_and_of_equilibrium_is_json_without_infinities():
    import json

    flat = PhaseFieldConfig(width_nm=2.0, height_nm=12.0, cell_nm=0.125, perturbation_radius_nm=0.0, base_height_nm=4.0,
                            plated_thickness_nm=0.5)
    summary = simulate_phasefield("Li", None, config=flat).summary()
    assert summary["damkohler"] == 0.0 and summary["capillary_decay_rate_1_s"] is None
    assert summary["regime"].startswith("flat surface")
    sine = PhaseFieldConfig(width_nm=16.0, height_nm=16.0, base_height_nm=8.0, perturbation_radius_nm=0.25,
                            perturbation_shape="sine", plated_thickness_nm=1.0, max_time_s=0.05)
    at_rest = simulate_phasefield("Na", None, overpotential_v=0.0, config=sine).summary()
    assert at_rest["wagner"] is None and at_rest["marginal_wavelength_m"] is None
    assert at_rest["regime"].startswith("no net plating")
    for values in (summary, at_rest):
        json.dumps(values, allow_nan=False)
