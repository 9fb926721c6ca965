"""Phase-field electrodeposition under an elastic film (paper Fig. 4c–f).

Chen et al. (2015) model with physical parameters in SI (``PhaseFieldConfig``, sources in
``PARAMETER_SOURCES``), solved in reduced units (``ReducedParameters``: length ℓ, time t, energy
density RT c0, concentration c0, potential RT/F, stress RT/Ω): order parameter ξ (metal 1,
electrolyte 0), Li⁺ concentration c̃ = c/c0 and electrolyte potential φ̃,

    ∂ξ/∂t = −L_σ[g′(ξ) − κ∇²ξ] − L_η h′(ξ)[e^{(1−α)f η_a} − c̃ e^{−α f η_a}]
    ∂c̃/∂t = ∇·[D(ξ)(∇c̃ + c̃∇φ̃)] − (c_s/c0) ∂ξ/∂t

with g = Wξ²(1−ξ)², h = ξ³(6ξ²−15ξ+10), D(ξ) = D_s h + D_l(1−h). The electrolyte is taken in
its electroneutral binary limit: the anion is blocked by the metal, so it sits in Boltzmann
equilibrium, φ̃ = ln(c̃/c_b), and the cation flux is D(∇c̃ + c̃∇φ̃) = 2D∇c̃. This replaces Chen's
separate conduction equation, whose explicit drift term would cap the step at a few ms. The metal
conducts electrons, so it sits at the applied potential and the local activation overpotential
is η_a = η − φ_l, shifted by the film stress (Tantratian et al. 2021):

    f η_a → f(η − φ_l) − Ω σ_n / RT        (σ_n tension positive)

The film is a linear elastic layer over the interface (``phasefield_mechanics``) whose bonded face
is displaced by the differential rise of the surface; the front feels the layer's σ_zz averaged over
the film side of the diffuse interface (``diffuse_interface_stiffness``), which converges with the
grid without any filter (the peak moves 0.1 % from cell δ/12 to δ/24). A finite ``film_relaxation_time_s`` makes it a Maxwell solid (stress =
elastic operator on the fading-memory displacement); ``inf`` is purely elastic.

Numerics: the grid is cell-centred, periodic in x; ξ has no flux through top and bottom; c̃ is held
at the bulk value at the top (reservoir) and has no flux through the bottom. ξ is stepped with
implicit ∇² and explicit g′ and reaction; c̃ with a stabilised constant-coefficient implicit part.
Both implicit operators are the 5-point Laplacian, inverted exactly by FFT (x) and DCT (y).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import scipy.fft as sfft
from threadpoolctl import threadpool_limits

from .electrochem import GAS_CONSTANT_J_PER_MOL_K, ROOM_TEMPERATURE_K, metal as lookup_metal, thermal_voltage_v
from .errors import SimulationInputError, require_positive
from .film import Film
from .phasefield_mechanics import diffuse_interface_stiffness, film_stress_modes, lame_constants
from .phasefield_regime import regime_diagnostics

# 2: SI parameters (D_l 3.2e-10 m² s⁻¹), unfiltered diffuse-interface traction (issue 17): cached results of 1 are stale
# 3: the Gibbs–Thomson L_σ, the metal's surface energy and the regime diagnostics (issue 24)
MODEL_VERSION = "phasefield-3"
# Points per side of the maps a summary keeps.
MAP_CELLS = 64
# c̃ floor inside ln c̃: a fully depleted cell would otherwise give φ̃ = −∞
_MIN_CONCENTRATION = 1e-6


class SimulationCancelled(Exception):
    """The caller's ``should_cancel`` asked the run to stop."""


# Energy-density scale of the nondimensionalization: RT c0 (J m⁻³), as in Chen et al. (2015) and Hong &
# Viswanathan (2018), whose L_σ 2.5e-6 m³ J⁻¹ s⁻¹ is their normalized 6.25 = L_σ·RT c0·(1 s).
FARADAY_C_PER_MOL = 96485.33212
# Paper Fig. 4: the overpotential of every run unless a caller gives another
PAPER_OVERPOTENTIAL_V = -0.1


@dataclass(frozen=True)
class PhaseFieldConfig:
    """Grid, set-up and physical parameters, each with its unit in its name.

    Provenance (``PARAMETER_SOURCES`` holds the same per field). Hong & Viswanathan (2018, "H&V")
    publish a normalized set in length 1 µm, time 1 s, energy density RT c0 (c0 = 1 mol L⁻¹):
    κ 0.3, W 2.4, L_σ 6.25, L_η 0.001, D_l 318, D_s 0.75, c_s/c0 76.4 — the values of Chen et al.
    (2015) in SI (D_l 3.197e-10 m² s⁻¹, D_s 7.5e-13 m² s⁻¹, L_σ 2.5e-6 m³ J⁻¹ s⁻¹, c_s 7.64e4
    mol m⁻³). Their interface is 1 µm wide; ours is 1 nm (the bump is 4 nm), so the parameters that
    depend on the width are carried over through width-independent quantities: the interface
    energy γ = √(2κW)/6 (H&V: 0.495 J m⁻²) and the exchange current density i0 = 1.5 F c_s L_η δ
    of the flat front (H&V: 11.1 A m⁻², 1.1 mA cm⁻²).
    """

    # --- geometry and run (nm, s) ---
    width_nm: float = 32.0
    height_nm: float = 32.0
    cell_nm: float = 0.25
    base_height_nm: float = 8.0             # flat metal surface above the bottom boundary
    perturbation_radius_nm: float = 4.0     # semicircular bump at mid-width (paper Fig. 4c); "sine": its amplitude
    # "bump" (paper Fig. 4c) or "sine": one cosine period across the width, for the dispersion check
    perturbation_shape: str = "bump"
    plated_thickness_nm: float = 4.0        # end state: mean surface rise
    max_time_s: float = 600.0               # stop even if the rise is not reached
    # --- physics (SI) ---
    interface_width_m: float = 1e-9                 # δ = √(8κ/W); assumption (numerical), 0.5–2 nm ≪ bump
    # γ: None → the metal's surface energy (Tyson & Miller 1977: Li 0.522, Na 0.261 J m⁻²; H&V's κ 0.3,
    # W 2.4 in RT c0·µm give 0.495 for Li)
    interface_energy_j_m2: float | None = None
    # L_σ: None → Gibbs–Thomson, L_σ = V_η Ω/(1.5 δ RT) at the run's overpotential
    # (``gibbs_thomson_mobility_m3_j_s``: Li 1.87e-8, Na 5.77e-8 at −0.1 V). A number overrides it
    # (the model before issue 24 assumed 1.7e-9: L_σW = 10 L_η).
    interface_mobility_m3_j_s: float | None = None
    exchange_current_density_a_m2: float = 11.1     # i0: H&V L_η 0.001 s⁻¹ at δ = 1 µm; Li 0.1–10 mA cm⁻²
    transfer_coefficient: float = 0.5               # α: Chen 2015, H&V
    electrolyte_diffusivity_m2_s: float = 3.197e-10  # D_l: Chen 2015 (H&V 318 µm² s⁻¹)
    metal_diffusivity_m2_s: float = 7.5e-13         # D_s: Chen 2015 (H&V 0.75 µm² s⁻¹)
    site_density_mol_m3: float | None = None        # c_s: None → 1/Ω of the metal (Chen: 7.64e4 for Li)
    reference_concentration_mol_m3: float = 1000.0  # c0 of Butler–Volmer: 1 mol L⁻¹ (Chen 2015)
    bulk_concentration_mol_m3: float = 1000.0       # c at the reservoir (top of the box)
    temperature_k: float = ROOM_TEMPERATURE_K
    # Maxwell relaxation of the film stress (alucone creeps; assumption, 0.5–2 s). inf: purely elastic.
    film_relaxation_time_s: float = 1.0
    # --- nondimensionalization: length and time scales of the solver (results do not depend on them) ---
    length_scale_m: float = 1e-9
    time_scale_s: float = 1.0
    # --- numerics ---
    film_map_levels: int = 24
    max_front_step: float = 0.05            # largest change of ξ in one step
    max_dt_s: float = 0.1

    def __post_init__(self) -> None:
        for name in ("width_nm", "height_nm", "cell_nm", "base_height_nm", "plated_thickness_nm", "max_time_s",
                     "interface_width_m", "exchange_current_density_a_m2", "electrolyte_diffusivity_m2_s", "metal_diffusivity_m2_s",
                     "reference_concentration_mol_m3", "bulk_concentration_mol_m3", "temperature_k",
                     "length_scale_m", "time_scale_s", "max_front_step", "max_dt_s"):
            require_positive(name, getattr(self, name), SimulationInputError)
        for name in ("site_density_mol_m3", "interface_energy_j_m2", "interface_mobility_m3_j_s"):
            if getattr(self, name) is not None:
                require_positive(name, getattr(self, name), SimulationInputError)
        if not self.film_relaxation_time_s > 0.0:  # inf allowed: a purely elastic film
            raise SimulationInputError(f"film_relaxation_time_s must be positive, got {self.film_relaxation_time_s!r}")
        if self.perturbation_shape not in ("bump", "sine"):
            raise SimulationInputError(f"perturbation_shape must be 'bump' or 'sine', got {self.perturbation_shape!r}")
        if self.perturbation_radius_nm < 0.0:
            raise SimulationInputError(f"perturbation_radius_nm must be >= 0, got {self.perturbation_radius_nm!r}")
        if not 0.0 < self.transfer_coefficient < 1.0:
            raise SimulationInputError(f"transfer_coefficient must lie in (0, 1), got {self.transfer_coefficient!r}")
        # Three cells across the interface width is the least that keeps the front shape and speed.
        if self.cell_nm > self.interface_width_nm / 3.0 * (1.0 + 1e-9):
            raise SimulationInputError(
                f"grid too coarse: cell {self.cell_nm} nm must be <= interface width / 3 = "
                f"{self.interface_width_nm / 3.0:.3g} nm")
        for name in ("width_nm", "height_nm"):
            cells = getattr(self, name) / self.cell_nm
            if abs(cells - round(cells)) > 1e-9 or round(cells) < 8:
                raise SimulationInputError(f"{name} must be a whole number (>= 8) of cells of {self.cell_nm} nm")
        if 2.0 * self.perturbation_radius_nm >= self.width_nm:
            raise SimulationInputError(
                f"perturbation of radius {self.perturbation_radius_nm} nm does not fit the {self.width_nm} nm domain")
        top_nm = self.base_height_nm + self.perturbation_radius_nm + self.plated_thickness_nm
        if top_nm + 2.0 * self.interface_width_nm >= self.height_nm or self.base_height_nm < 2.0 * self.interface_width_nm:
            raise SimulationInputError(
                f"domain height {self.height_nm} nm cannot hold the base, the perturbation and "
                f"{self.plated_thickness_nm} nm of plating with electrolyte above")

    @property
    def interface_width_nm(self) -> float:
        return self.interface_width_m * 1e9

    @property
    def shape(self) -> tuple[int, int]:
        """(rows along y, columns along x)."""
        return round(self.height_nm / self.cell_nm), round(self.width_nm / self.cell_nm)

    def site_density(self, metal: str) -> float:
        """c_s (mol m⁻³): the given value or 1/Ω of the metal (handbook molar volume)."""
        if self.site_density_mol_m3 is not None:
            return self.site_density_mol_m3
        return 1e6 / lookup_metal(metal).molar_volume_cm3_mol

    def interface_energy(self, metal: str) -> float:
        """γ (J m⁻²): the given value or the metal's surface energy."""
        if self.interface_energy_j_m2 is not None:
            return self.interface_energy_j_m2
        return lookup_metal(metal).surface_energy_j_m2

    def resolved(self, metal: str, overpotential_v: float) -> "PhaseFieldConfig":
        """The same configuration with γ and L_σ given as numbers for ``metal`` at ``overpotential_v``."""
        mobility = self.interface_mobility_m3_j_s
        if mobility is None:
            mobility = gibbs_thomson_mobility_m3_j_s(self, metal, overpotential_v)
        return replace(self, interface_energy_j_m2=self.interface_energy(metal), interface_mobility_m3_j_s=mobility)

    def si_parameters(self, metal: str, overpotential_v: float = PAPER_OVERPOTENTIAL_V) -> dict[str, float]:
        """Every parameter in SI units (m, s, J, mol, A, K), with the derived Allen–Cahn coefficients."""
        if self.interface_mobility_m3_j_s is None or self.interface_energy_j_m2 is None:
            return self.resolved(metal, overpotential_v).si_parameters(metal)
        gamma, delta = self.interface_energy_j_m2, self.interface_width_m
        c_s = self.site_density(metal)
        return {
            "domain_width_m": self.width_nm * 1e-9, "domain_height_m": self.height_nm * 1e-9,
            "cell_size_m": self.cell_nm * 1e-9, "base_height_m": self.base_height_nm * 1e-9,
            "perturbation_radius_m": self.perturbation_radius_nm * 1e-9,
            "plated_thickness_m": self.plated_thickness_nm * 1e-9, "max_time_s": self.max_time_s,
            "interface_width_m": delta, "interface_energy_j_m2": gamma,
            "barrier_height_j_m3": 12.0 * gamma / delta,           # W = 12γ/δ
            "gradient_coefficient_j_m": 1.5 * gamma * delta,       # κ = 3γδ/2
            "interface_mobility_m3_j_s": self.interface_mobility_m3_j_s,
            "reaction_rate_1_s": self.exchange_current_density_a_m2 / (1.5 * FARADAY_C_PER_MOL * c_s * delta),
            "exchange_current_density_a_m2": self.exchange_current_density_a_m2,
            "transfer_coefficient": self.transfer_coefficient,
            "electrolyte_diffusivity_m2_s": self.electrolyte_diffusivity_m2_s,
            "metal_diffusivity_m2_s": self.metal_diffusivity_m2_s,
            "site_density_mol_m3": c_s,
            "reference_concentration_mol_m3": self.reference_concentration_mol_m3,
            "bulk_concentration_mol_m3": self.bulk_concentration_mol_m3,
            "temperature_k": self.temperature_k,
            "film_relaxation_time_s": self.film_relaxation_time_s,
            "length_scale_m": self.length_scale_m, "time_scale_s": self.time_scale_s,
        }


# Where each physical default comes from (bench.phasefield_fig4 prints it).
PARAMETER_SOURCES: dict[str, str] = {
    "interface_width_m": "assumption (numerical width, 0.5–2 nm; must be ≪ the 4 nm bump and ≥ 3 cells)",
    "interface_energy_j_m2": "the metal's surface energy, Tyson & Miller 1977: Li 0.522, Na 0.261 J m⁻² "
                             "(H&V 2018 κ 0.3, W 2.4 in RT c0·µm: 0.495)",
    "interface_mobility_m3_j_s": "Gibbs–Thomson: L_σ = V_η Ω/(1.5 δ RT), V_η = (i0/F c_s)(α c̃ e^{−αfη} + "
                                 "(1−α) e^{(1−α)fη}), Ω the deposit molar volume (Li 1.87e-8, Na 5.77e-8 at −0.1 V)",
    "exchange_current_density_a_m2": "H&V 2018 L_η 0.001 s⁻¹ at δ 1 µm: i0 = 1.5 F c_s L_η δ = 11.1 A m⁻² "
                                     "(assumption for Na; Li in carbonates 0.1–10 mA cm⁻²)",
    "transfer_coefficient": "Chen 2015, H&V 2018: 0.5",
    "electrolyte_diffusivity_m2_s": "Chen 2015 3.197e-10 m² s⁻¹ (H&V 318 µm² s⁻¹)",
    "metal_diffusivity_m2_s": "Chen 2015 7.5e-13 m² s⁻¹ (H&V 0.75 µm² s⁻¹)",
    "site_density_mol_m3": "1/Ω of the metal (Li 7.69e4; Chen 2015 7.64e4)",
    "reference_concentration_mol_m3": "Chen 2015: 1 mol L⁻¹",
    "bulk_concentration_mol_m3": "1 mol L⁻¹ electrolyte (paper: 1 M salts)",
    "film_relaxation_time_s": "assumption (alucone creep), 0.5–2 s",
    "overpotential_v": "paper Fig. 4: −0.1 V",
}


@dataclass(frozen=True)
class ReducedParameters:
    """The solver's dimensionless coefficients.

    Scales, written once: length ℓ = ``length_scale_m``, time t = ``time_scale_s``, energy density
    E = RT c0, concentration c0, potential RT/F, stress RT/Ω. Then W̃ = W/E, κ̃ = κ/(E ℓ²),
    L̃_σ = L_σ E t, L̃_η = L_η t, D̃ = D t/ℓ², lengths x̃ = x/ℓ, times t̃ = t/t.
    """

    cell: float
    gradient_coefficient: float
    barrier_height: float
    interface_mobility: float
    reaction_rate: float
    transfer_coefficient: float
    diffusivity_electrolyte: float
    diffusivity_metal: float
    site_density_ratio: float
    bulk_concentration: float
    temperature_k: float
    nm: float               # 1 nm in units of ℓ
    second: float           # 1 s in units of t


def reduced_parameters(config: PhaseFieldConfig, metal: str = "Li",
                       overpotential_v: float = PAPER_OVERPOTENTIAL_V) -> ReducedParameters:
    """The nondimensionalization of ``config`` (``ReducedParameters``) for ``metal`` at ``overpotential_v``."""
    si = config.si_parameters(metal, overpotential_v)
    length, time_s = config.length_scale_m, config.time_scale_s
    energy = GAS_CONSTANT_J_PER_MOL_K * config.temperature_k * config.reference_concentration_mol_m3
    return ReducedParameters(
        cell=config.cell_nm * 1e-9 / length,
        gradient_coefficient=si["gradient_coefficient_j_m"] / (energy * length**2),
        barrier_height=si["barrier_height_j_m3"] / energy,
        interface_mobility=si["interface_mobility_m3_j_s"] * energy * time_s,
        reaction_rate=si["reaction_rate_1_s"] * time_s,
        transfer_coefficient=config.transfer_coefficient,
        diffusivity_electrolyte=config.electrolyte_diffusivity_m2_s * time_s / length**2,
        diffusivity_metal=config.metal_diffusivity_m2_s * time_s / length**2,
        site_density_ratio=si["site_density_mol_m3"] / config.reference_concentration_mol_m3,
        bulk_concentration=config.bulk_concentration_mol_m3 / config.reference_concentration_mol_m3,
        temperature_k=config.temperature_k,
        nm=1e-9 / length,
        second=1.0 / time_s,
    )


@dataclass
class PhaseFieldResult:
    """What a run gives: amplitudes, interfacial stresses, profiles and fields for plotting."""

    metal: str
    film_thickness_nm: float | None
    film_modulus_gpa: float | None
    overpotential_v: float
    amplitude_ratio: float
    initial_amplitude_nm: float
    final_amplitude_nm: float
    peak_tensile_stress_mpa: float
    peak_compressive_stress_mpa: float
    mean_rise_nm: float
    time_s: np.ndarray                      # sampled times
    amplitude_nm: np.ndarray                # perturbation amplitude at those times
    mean_height_nm: np.ndarray
    x_nm: np.ndarray
    y_nm: np.ndarray
    initial_surface_nm: np.ndarray          # interface height per column
    final_surface_nm: np.ndarray
    interfacial_stress_mpa: np.ndarray      # σ_n(x) at the end, tension positive
    profile_distance_nm: np.ndarray         # tip (A) to valley (B), along x
    profile_stress_mpa: np.ndarray
    order_parameter: np.ndarray             # ξ(y, x)
    concentration: np.ndarray               # c/c0
    potential_v: np.ndarray                 # φ_l
    film_depth_nm: np.ndarray               # heights above the interface of the film map rows
    film_stress_mpa: dict[str, np.ndarray] = field(default_factory=dict)  # sxx, szz, sxz, von_mises
    parameters_si: dict[str, float | None] = field(default_factory=dict)  # every parameter, SI units
    stress_locations: dict[str, float] = field(default_factory=dict)   # where the peaks act
    regime: dict[str, float | str] = field(default_factory=dict)      # ``phasefield_regime``: Da, Wa, λ_c, ω
    steps: int = 0
    cell_updates: int = 0
    wall_s: float = 0.0
    model_version: str = MODEL_VERSION

    def summary(self) -> dict:
        """JSON-safe scalars, small arrays, and the final ξ and c/c0 maps on at most MAP_CELLS² points."""
        def small(a: np.ndarray) -> list[float]:
            return [float(v) for v in np.asarray(a, dtype=float)]

        def coarse(field: np.ndarray) -> list[list[float]]:
            # about 25 kB per map in JSON at 3 decimals: enough to see the front and the depletion
            step = max(1, -(-max(field.shape) // MAP_CELLS))
            return np.round(field[::step, ::step], 3).tolist()
        every = max(1, len(self.time_s) // 50)
        map_step = max(1, -(-max(self.order_parameter.shape) // MAP_CELLS))
        return {
            "model_version": self.model_version,
            "metal": self.metal,
            "film_thickness_nm": self.film_thickness_nm,
            "film_modulus_gpa": self.film_modulus_gpa,
            "overpotential_v": self.overpotential_v,
            "amplitude_ratio": float(self.amplitude_ratio),
            "initial_amplitude_nm": float(self.initial_amplitude_nm),
            "final_amplitude_nm": float(self.final_amplitude_nm),
            "peak_tensile_stress_mpa": float(self.peak_tensile_stress_mpa),
            "peak_compressive_stress_mpa": float(self.peak_compressive_stress_mpa),
            "mean_rise_nm": float(self.mean_rise_nm),
            # at most ~50 samples of the time series
            "time_s": small(self.time_s[::every]),
            "amplitude_nm": small(self.amplitude_nm[::every]),
            "profile_distance_nm": small(self.profile_distance_nm),
            "profile_stress_mpa": small(self.profile_stress_mpa),
            "final_surface_nm": small(self.final_surface_nm),
            "parameters": dict(self.parameters_si),
            "stress_locations": dict(self.stress_locations),
            # the regime's numbers flat beside the others (the job page's table shows scalars), its reading as "regime"
            **{k: v for k, v in self.regime.items() if k != "reading"},
            "regime": self.regime.get("reading", ""),
            "map_x_nm": small(self.x_nm[::map_step]),
            "map_y_nm": small(self.y_nm[::map_step]),
            "order_parameter_map": coarse(self.order_parameter),
            "concentration_map": coarse(self.concentration),
            # the depletion a nanometre bump leaves is parts per million (Damköhler ≈ 1e-5): c/c0 at 3 decimals
            # is a uniform 1.000, so the deficit 1 − c/c0 is kept apart, in ppm
            "concentration_deficit_ppm_map": coarse((1.0 - self.concentration) * 1e6),
            "steps": self.steps,
            "wall_s": float(self.wall_s),
        }


def flat_front_velocity_nm_s(overpotential_v: float, config: PhaseFieldConfig,
                             concentration: float | None = None, metal: str = "Li") -> float:
    """Analytic speed of a flat front (L_σ ≫ L_η), positive when plating; ``concentration`` is c/c0.

    Solvability of the travelling wave on the equilibrium profile (|ξ′| = √(2W/κ) ξ(1−ξ)):
    v ∫ξ′² dx = L_η B ∫h′ ξ′ dx  →  v = 6 L_η √(κ/2W) [c̃ e^{−αfη} − e^{(1−α)fη}] = 1.5 L_η δ B,
    i.e. the current density F c_s v = i0 [c̃ e^{−αfη} − e^{(1−α)fη}].
    """
    r = reduced_parameters(config, metal)
    c = r.bulk_concentration if concentration is None else concentration
    f_eta = overpotential_v / thermal_voltage_v(config.temperature_k)
    a = config.transfer_coefficient
    drive = c * math.exp(-a * f_eta) - math.exp((1.0 - a) * f_eta)
    velocity = 6.0 * r.reaction_rate * math.sqrt(r.gradient_coefficient / (2.0 * r.barrier_height)) * drive
    return velocity * r.second / r.nm


def equilibrium_overpotential_v(config: PhaseFieldConfig) -> float:
    """Nernst: η_eq = (RT/F) ln(c/c0) at the bulk concentration."""
    return thermal_voltage_v(config.temperature_k) * math.log(
        config.bulk_concentration_mol_m3 / config.reference_concentration_mol_m3)


# --- grid operators ------------------------------------------------------------------------------


def _laplacian_symbols(shape: tuple[int, int], d: float) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of −∇² (5-point, cell ``d``) for (no-flux, no-flux) and (no-flux bottom, fixed top) in y."""
    ny, nx = shape
    m = np.arange(nx // 2 + 1)
    # periodic x: (2 − 2cos(2πm/N)) / dx²
    kx2 = (2.0 - 2.0 * np.cos(2.0 * np.pi * m / nx)) / d**2
    n = np.arange(ny)[:, None]
    # DCT-II modes (Neumann both ends) and DCT-IV modes (Neumann bottom face, Dirichlet top face)
    ky2_neumann = (2.0 - 2.0 * np.cos(np.pi * n / ny)) / d**2
    ky2_mixed = (2.0 - 2.0 * np.cos(np.pi * (n + 0.5) / ny)) / d**2
    return kx2[None, :] + ky2_neumann, kx2[None, :] + ky2_mixed


def _solve_neumann(rhs: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    spectrum = sfft.dct(sfft.rfft(rhs, axis=1), type=2, axis=0, norm="ortho")
    return sfft.irfft(sfft.idct(spectrum / denominator, type=2, axis=0, norm="ortho"), n=rhs.shape[1], axis=1)


def _solve_mixed(rhs: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    spectrum = sfft.dct(sfft.rfft(rhs, axis=1), type=4, axis=0, norm="ortho")
    return sfft.irfft(sfft.idct(spectrum / denominator, type=4, axis=0, norm="ortho"), n=rhs.shape[1], axis=1)


def _face_coefficients(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arithmetic face averages: east faces (periodic), north faces (inner) and the top face."""
    east = 0.5 * (d + np.roll(d, -1, axis=1))
    north = 0.5 * (d[1:] + d[:-1])
    return east, north, d[-1]


def _divergence_flux(u: np.ndarray, d: np.ndarray, top_value: float, dx: float) -> np.ndarray:
    """∇·(d∇u) with no flux at the bottom and u = top_value on the top face."""
    east, north, top = _face_coefficients(d)
    flux_x = east * (np.roll(u, -1, axis=1) - u)
    out = flux_x - np.roll(flux_x, 1, axis=1)
    flux_y = north * (u[1:] - u[:-1])
    out[:-1] += flux_y
    out[1:] -= flux_y
    # Top face at half a cell: (top_value − u) / (dx/2)
    out[-1] += top * 2.0 * (top_value - u[-1])
    return out / dx**2


# --- set-up ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FilmModel:
    thickness_nm: float
    modulus_gpa: float
    poisson_ratio: float


def _validated_film(film: Film | None) -> _FilmModel | None:
    if film is None:
        return None
    modulus = require_positive("film modulus_gpa", getattr(film, "modulus_gpa", None), SimulationInputError)
    thickness = require_positive("film thickness_nm", getattr(film, "thickness_nm", None), SimulationInputError)
    nu = getattr(film, "poisson_ratio", None)
    if not isinstance(nu, (int, float)) or not -1.0 < nu < 0.5:
        raise SimulationInputError(f"film poisson_ratio must lie in (-1, 0.5), got {nu!r}")
    return _FilmModel(thickness, modulus, float(nu))


def initial_order_parameter(config: PhaseFieldConfig) -> np.ndarray:
    """Equilibrium tanh profile around a flat surface with a semicircular bump at mid-width."""
    ny, nx = config.shape
    xx, yy = np.meshgrid((np.arange(nx) + 0.5) * config.cell_nm, (np.arange(ny) + 0.5) * config.cell_nm)
    if config.perturbation_shape == "sine":
        # y = base + a cos(2πx/width), crest at mid-width; vertical distance (a ≪ wavelength)
        crest = config.base_height_nm + config.perturbation_radius_nm * np.cos(
            2.0 * np.pi * (xx - config.width_nm / 2.0) / config.width_nm)
        return 0.5 * (1.0 - np.tanh(2.0 * (yy - crest) / config.interface_width_nm))
    # signed distance (metal negative) to the union of the half-plane and the disc
    to_plane = yy - config.base_height_nm
    to_disc = np.hypot(xx - config.width_nm / 2.0, yy - config.base_height_nm) - config.perturbation_radius_nm
    # the concave foot is filleted over the interface width (smooth minimum, polynomial, radius ~δ): a
    # diffuse interface cannot hold a sharper corner, and a kink there concentrates the film's stress
    # on the grid scale instead of a physical one
    fillet = config.interface_width_nm
    blend = np.clip(fillet - np.abs(to_plane - to_disc), 0.0, None) / fillet
    distance = np.minimum(to_plane, to_disc) - blend**2 * fillet / 4.0
    # ξ = ½[1 − tanh(d √(W/2κ))] solves κξ″ = g′(ξ); √(W/2κ) = 2/δ
    return 0.5 * (1.0 - np.tanh(2.0 * distance / config.interface_width_nm))


def surface_height(xi: np.ndarray, cell_nm: float) -> np.ndarray:
    """Interface height per column: the metal content ∫ξ dy (exact for a single-valued surface)."""
    return xi.sum(axis=0) * cell_nm


def perturbation_amplitude_nm(surface: np.ndarray) -> float:
    """Perturbation amplitude: highest minus lowest point of the surface."""
    return float(surface.max() - surface.min())


# ∫ξ″²/∫ξ′² · δ² of the tanh profile: how strongly an implicit ∇² resists a translation of the front
TRANSLATION_CURVATURE = 3.2
# Largest L_σκ dt/δ². The explicit part g′ + cξ is stable below 2/(L_σ(2W + c)) = 0.104 δ²/(L_σκ); the
# front's speed (flat front, dispersion) moved by < 1 % between this step and one 10× smaller.
TIME_STEP_FACTOR = 0.04
# The first step is this many times shorter; the step then grows by at most 1.25× per step
INITIAL_STEP_DIVISOR = 32.0


def translation_shift(r: ReducedParameters, interface_width_nm: float) -> float:
    """c = 3.2 κ/δ² (reduced): with (κ(−∇²) − c) implicit and g′ + cξ explicit, a translating tanh
    profile meets no resistance from the implicit part (⟨ξ′, (κ(−∇²) − c) ξ′⟩ = 0), as the exact
    Jacobian κ(−∇²) + g″ has ξ′ in its null space. Implicit ∇² alone slowed every moving front by
    1/(1 + 3.2 L_σκ dt/δ²), which held the step at 0.004 δ²/(L_σκ) (1.3 %) and cost 1,400–2,300 steps
    per film at the Gibbs–Thomson L_σ."""
    width = interface_width_nm * r.nm
    return TRANSLATION_CURVATURE * r.gradient_coefficient / width**2


def time_step_limit_s(config: PhaseFieldConfig, metal: str = "Li", overpotential_v: float = PAPER_OVERPOTENTIAL_V) -> float:
    """Largest step for ξ: (κ(−∇²) − c) implicit, g′ + cξ and the reaction explicit (``translation_shift``)."""
    r = reduced_parameters(config, metal, overpotential_v)
    width = config.interface_width_nm * r.nm
    return min(config.max_dt_s, TIME_STEP_FACTOR * width**2 / (r.interface_mobility * r.gradient_coefficient) / r.second)


def linear_reaction_velocity_m_s(config: PhaseFieldConfig, metal: str, overpotential_v: float) -> float:
    """V_η = ∂v/∂(Δμ/RT) of the flat front at ``overpotential_v``: how fast the front answers a small
    shift Δμ of the metal's chemical potential (a stress Ωσ, a curvature γΩK).

    v = (i0/F c_s)[c̃ e^{−αfη} − e^{(1−α)fη}] and Δμ enters as fη → fη + Δμ/RT, so
    V_η = (i0/F c_s)(α c̃ e^{−αfη} + (1−α) e^{(1−α)fη}).
    """
    alpha = config.transfer_coefficient
    f_eta = overpotential_v / thermal_voltage_v(config.temperature_k)
    c_bulk = config.bulk_concentration_mol_m3 / config.reference_concentration_mol_m3
    exchange_velocity_m_s = config.exchange_current_density_a_m2 / (FARADAY_C_PER_MOL * config.site_density(metal))
    return exchange_velocity_m_s * (alpha * c_bulk * math.exp(-alpha * f_eta)
                                    + (1.0 - alpha) * math.exp((1.0 - alpha) * f_eta))


def gibbs_thomson_mobility_m3_j_s(config: PhaseFieldConfig, metal: str, overpotential_v: float) -> float:
    """L_σ that makes the capillary term Gibbs–Thomson's: the interface moves under curvature K as the
    reaction does under the chemical potential shift γΩK (Ω the deposit molar volume, as for stress).

    Allen–Cahn's sharp-interface limit moves a curved front at v = L_σ κ K with κ = 1.5 γ δ; the
    reaction moves it at V_η γ Ω K/RT. Equal when L_σ = V_η Ω/(1.5 δ RT).
    """
    omega_m3_mol = lookup_metal(metal).deposit_molar_volume_cm3_mol * 1e-6
    rt_j_mol = GAS_CONSTANT_J_PER_MOL_K * config.temperature_k
    # L_σ = V_η Ω / (1.5 δ R T)
    return (linear_reaction_velocity_m_s(config, metal, overpotential_v) * omega_m3_mol
            / (1.5 * config.interface_width_m * rt_j_mol))


def reduced_stress_per_mpa(metal: str, temperature_k: float) -> float:
    """Ωσ/RT for σ = 1 MPa. Ω is the deposit molar volume, as in paper Eq. (1): Ω_Li/Ω_Na = 0.59,
    so a stress σ on Na shifts the driving force as σ/0.59 does on Li (59 MPa ≙ 100 MPa)."""
    return lookup_metal(metal).deposit_molar_volume_cm3_mol * 1e-6 * 1e6 / (GAS_CONSTANT_J_PER_MOL_K * temperature_k)


def local_rates(xi: np.ndarray, conc: np.ndarray, phi: np.ndarray, stress_mpa: np.ndarray, f_eta: float,
                stress_per_mpa: float, r: ReducedParameters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(g′(ξ), L_η h′(ξ) B, D(ξ)) in reduced units: the explicit parts of the ξ and c̃ equations."""
    barrier, alpha = r.barrier_height, r.transfer_coefficient
    h = xi**3 * (6.0 * xi**2 - 15.0 * xi + 10.0)
    dh = 30.0 * xi**2 * (1.0 - xi) ** 2
    # g′(ξ) = 2Wξ(1−ξ)(1−2ξ)
    dg = 2.0 * barrier * xi * (1.0 - xi) * (1.0 - 2.0 * xi)
    # f η_a = f(η − φ_l) − Ωσ_n/RT, σ_n a function of x only (it acts on the interface)
    f_eta_a = f_eta - phi - stress_per_mpa * stress_mpa[None, :]
    # B = e^{(1−α)fη_a} − c̃ e^{−αfη_a}
    reaction = np.exp((1.0 - alpha) * f_eta_a) - np.clip(conc, 0.0, None) * np.exp(-alpha * f_eta_a)
    diffusivity = r.diffusivity_metal * h + r.diffusivity_electrolyte * (1.0 - h)
    return dg, r.reaction_rate * dh * reaction, diffusivity


class FilmCoupling:
    """The film's interfacial normal stress as the surface advances (none: zero stress).

    Maxwell film: w ← w e^{−dt/τ} + (differential normal advance), σ_n = −K w per Fourier mode.
    """

    def __init__(self, film: Film | None, config: PhaseFieldConfig, overpotential_v: float,
                 stress_per_mpa: float, metal: str = "Li") -> None:
        self.film = _validated_film(film)
        self.config = config
        nx = config.shape[1]
        self.wavenumbers = 2.0 * np.pi * np.fft.rfftfreq(nx, d=config.cell_nm)
        self.displacement_nm = np.zeros(nx)
        self.stress_mpa = np.zeros(nx)
        self.peak_tension_mpa = 0.0
        self.peak_compression_mpa = 0.0
        self.locations: dict[str, float] = {}
        if self.film is None:
            return
        self.lame_gpa = lame_constants(self.film.modulus_gpa, self.film.poisson_ratio)
        # σ_n = −K_δ w: the film's stress averaged over the film side of the diffuse interface
        # (``diffuse_interface_stiffness``); K_δ in GPa/nm → MPa/nm. It converges with the grid
        # without filtering: K_δ tends to a constant above k ~ 1/δ.
        self.stiffness_mpa_nm = 1e3 * diffuse_interface_stiffness(
            self.wavenumbers, self.film.thickness_nm, config.interface_width_nm, *self.lame_gpa)
        # β = ∂v/∂σ_n of the flat front: fη_a → fη_a − Ωσ/RT
        f_eta = overpotential_v / thermal_voltage_v(config.temperature_k)
        alpha = config.transfer_coefficient
        # flat-front speed per unit drive, nm/s: 1.5 L_η δ
        front = 1.5 * config.si_parameters(metal)["reaction_rate_1_s"] * config.interface_width_nm
        c_bulk = config.bulk_concentration_mol_m3 / config.reference_concentration_mol_m3
        self.sensitivity_nm_s_mpa = front * stress_per_mpa * (
            alpha * c_bulk * math.exp(-alpha * f_eta)
            + (1.0 - alpha) * math.exp((1.0 - alpha) * f_eta))

    def advance(self, surface: np.ndarray, rise_step: np.ndarray, dt: float, time_s: float = 0.0) -> np.ndarray:
        """Update and return σ_n(x) (MPa) after the surface rose by ``rise_step`` in ``dt``."""
        if self.film is None:
            return self.stress_mpa
        # The layer is linear elastic over a flat reference (``phasefield_mechanics``): its bonded face
        # is displaced vertically by the column rise, and σ_n is its σ_zz there. Weighting the rise by
        # cos θ (a normal advance) is not that model's load; on the bump's steep flanks it made the
        # peak grow without bound under refinement.
        advance = rise_step
        self.displacement_nm = (self.displacement_nm * math.exp(-dt / self.config.film_relaxation_time_s)
                                + (advance - advance.mean()))
        # The stress of this step feeds the next one; linearising the rise in σ (β = ∂v/∂σ) and
        # taking it at the new level, σ̂ⁿ⁺¹(1 + K dt β) = −K ŵⁿ⁺¹ + K dt β σ̂ⁿ, is stable for any K.
        gain = self.stiffness_mpa_nm * dt * self.sensitivity_nm_s_mpa
        stress_hat = (-self.stiffness_mpa_nm * np.fft.rfft(self.displacement_nm)
                      + gain * np.fft.rfft(self.stress_mpa)) / (1.0 + gain)
        self.stress_mpa = np.fft.irfft(stress_hat, n=len(surface))
        self._record_peaks(time_s)
        return self.stress_mpa

    def _record_peaks(self, time_s: float) -> None:
        """Peak tension and compression so far, with where (distance from the tip, nm) and when."""
        nx = len(self.stress_mpa)
        # from the bump's axis at mid-width (a cell face: the tip cell's centre is half a cell off it)
        from_tip = (np.arange(nx) + 0.5) * self.config.cell_nm - self.config.width_nm / 2.0
        low, high = int(np.argmin(self.stress_mpa)), int(np.argmax(self.stress_mpa))
        if self.stress_mpa[low] < self.peak_compression_mpa:
            self.peak_compression_mpa = float(self.stress_mpa[low])
            self.locations["peak_compression_from_tip_nm"] = float(abs(from_tip[low]))
            self.locations["peak_compression_time_s"] = time_s
        if self.stress_mpa[high] > self.peak_tension_mpa:
            self.peak_tension_mpa = float(self.stress_mpa[high])
            self.locations["peak_tension_from_tip_nm"] = float(abs(from_tip[high]))
            self.locations["peak_tension_time_s"] = time_s
        tip = float(self.stress_mpa[nx // 2])
        if abs(tip) > abs(self.locations.get("peak_tip_stress_mpa", 0.0)):
            self.locations["peak_tip_stress_mpa"] = tip

    def stress_maps(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Heights above the interface and the film's σ_xx, σ_zz, σ_xz, von Mises there (MPa)."""
        if self.film is None:
            return np.zeros(0), {}
        depths = np.linspace(0.0, self.film.thickness_nm, self.config.film_map_levels)
        modes = film_stress_modes(self.wavenumbers, self.film.thickness_nm, depths, *self.lame_gpa)
        w_hat = np.fft.rfft(self.displacement_nm)
        nx = len(self.displacement_nm)
        sxx, szz, sxz = (1e3 * np.fft.irfft(m * w_hat[None, :], n=nx, axis=1) for m in modes)
        # plane strain: σ_yy (out of plane) = ν(σ_xx + σ_zz)
        syy = self.film.poisson_ratio * (sxx + szz)
        von_mises = np.sqrt(0.5 * ((sxx - syy) ** 2 + (syy - szz) ** 2 + (szz - sxx) ** 2) + 3.0 * sxz**2)
        return depths, {"sxx": sxx, "szz": szz, "sxz": sxz, "von_mises": von_mises}


def validated_overpotential_v(overpotential_v: float, config: PhaseFieldConfig) -> float:
    """The overpotential as float; plating needs it at or below the Nernst equilibrium."""
    try:
        eta_v = float(overpotential_v)
    except (TypeError, ValueError):
        raise SimulationInputError(f"overpotential_v must be a number, got {overpotential_v!r}") from None
    eta_eq_v = equilibrium_overpotential_v(config)
    if not math.isfinite(eta_v) or eta_v > eta_eq_v:
        raise SimulationInputError(
            f"plating needs an overpotential at or below the equilibrium {eta_eq_v:.4f} V, got {overpotential_v!r} V")
    return eta_v


# --- the model -----------------------------------------------------------------------------------


def simulate_phasefield(metal: str, film: Film | None, *, overpotential_v: float = -0.1,
                        config: PhaseFieldConfig | None = None,
                        progress: Callable[[float], None] | None = None,
                        should_cancel: Callable[[], bool] | None = None) -> PhaseFieldResult:
    """Plate ``metal`` under ``film`` (None: bare) until the surface has risen ``plated_thickness_nm``.

    Raises SimulationInputError before any stepping for input that cannot be simulated, and
    SimulationCancelled when ``should_cancel()`` turns true. Runs on one BLAS thread: the film's
    4×4 matrix exponentials took seconds instead of milliseconds with threads on a loaded machine.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _simulate(metal, film, overpotential_v, config, progress, should_cancel)


@dataclass(frozen=True)
class _Scheme:
    """The reduced operators and constants one run steps with (fixed for the run)."""

    r: ReducedParameters
    f_eta: float
    stress_per_mpa: float
    lap_neumann: np.ndarray
    lap_mixed: np.ndarray
    shift: float

    def order_parameter(self, xi: np.ndarray, conc: np.ndarray, phi: np.ndarray, stress_mpa: np.ndarray,
                        dt: float) -> tuple[np.ndarray, np.ndarray]:
        """ξⁿ⁺¹ of one step, and the local diffusivity the concentration step uses."""
        r = self.r
        dg, reaction, diffusivity = local_rates(xi, conc, phi, stress_mpa, self.f_eta, self.stress_per_mpa, r)
        # (1/dt + L_σ(κ(−∇²) − c)) ξⁿ⁺¹ = ξⁿ/dt − L_σ(g′(ξⁿ) + c ξⁿ) − L_η h′ B   (c: translation_shift)
        xi_new = _solve_neumann(xi / dt - r.interface_mobility * (dg + self.shift * xi) - reaction,
                                1.0 / dt + r.interface_mobility * (r.gradient_coefficient * self.lap_neumann - self.shift))
        return xi_new, diffusivity

    def concentration(self, conc: np.ndarray, rate: np.ndarray, diffusivity: np.ndarray,
                      dt: float) -> tuple[np.ndarray, np.ndarray]:
        """c̃ and φ̃ of one step, given ∂ξ/∂t."""
        r = self.r
        # c̃ is stabilised with A ≥ max D: unconditionally stable
        stab_c = max(r.diffusivity_electrolyte, r.diffusivity_metal)
        # c̃: (1 − 2 dt A∇²) δc = dt[∇·(2D∇c̃) − (c_s/c0) ∂ξ/∂t]   (D(∇c̃ + c̃∇φ̃) = 2D∇c̃)
        transport = _divergence_flux(conc, 2.0 * diffusivity, r.bulk_concentration, r.cell)
        conc = conc + _solve_mixed(dt * (transport - r.site_density_ratio * rate), 1.0 + 2.0 * dt * stab_c * self.lap_mixed)
        # φ̃ = ln(c̃/c_b): the anion is blocked, so it sits in Boltzmann equilibrium
        return conc, np.log(np.clip(conc, _MIN_CONCENTRATION, None) / r.bulk_concentration)


def _simulate(metal: str, film: Film | None, overpotential_v: float, config: PhaseFieldConfig | None,
              progress: Callable[[float], None] | None,
              should_cancel: Callable[[], bool] | None) -> PhaseFieldResult:
    data = lookup_metal(metal)
    config = config or PhaseFieldConfig()
    eta_v = validated_overpotential_v(overpotential_v, config)
    config = config.resolved(data.symbol, eta_v)
    stress_per_mpa = reduced_stress_per_mpa(data.symbol, config.temperature_k)
    coupling = FilmCoupling(film, config, eta_v, stress_per_mpa, data.symbol)
    r = reduced_parameters(config, data.symbol, eta_v)
    started = time.perf_counter()
    # reduced lengths x̃ = x/ℓ, times t̃ = t/t_scale
    scheme = _Scheme(r, eta_v / thermal_voltage_v(config.temperature_k), stress_per_mpa,
                     *_laplacian_symbols(config.shape, r.cell), translation_shift(r, config.interface_width_nm))
    dt_limit = time_step_limit_s(config, data.symbol, eta_v) * r.second

    xi = initial_order_parameter(config)
    conc = np.full_like(xi, r.bulk_concentration)
    phi = np.zeros_like(xi)
    surface0 = surface_height(xi, config.cell_nm)
    surface, mean0 = surface0.copy(), float(surface0.mean())
    times, amplitudes, means = [0.0], [perturbation_amplitude_nm(surface0)], [mean0]
    # the first steps are short: the film's stress builds up within them (its peak came 27 % high when the
    # run started at the full step)
    t, dt, steps = 0.0, min(dt_limit / INITIAL_STEP_DIVISOR, 0.01 * r.second), 0
    while True:
        rise = float(surface.mean()) - mean0
        if progress is not None:
            progress(min(1.0, max(0.0, rise / config.plated_thickness_nm)))
        if rise >= config.plated_thickness_nm or t >= config.max_time_s * r.second:
            break
        if should_cancel is not None and should_cancel():
            raise SimulationCancelled(f"phase-field run cancelled at t = {t / r.second:.3g} s")
        xi_new, diffusivity = scheme.order_parameter(xi, conc, phi, coupling.stress_mpa, dt)
        change = float(np.abs(xi_new - xi).max())
        if not math.isfinite(change):
            raise SimulationInputError(f"phase-field run diverged at t = {t / r.second:.3g} s; lower max_dt_s")
        if change > 2.0 * config.max_front_step and dt > 1e-6 * r.second:
            dt *= 0.5  # reject: the front would jump
            continue
        conc, phi = scheme.concentration(conc, (xi_new - xi) / dt, diffusivity, dt)
        xi = xi_new
        new_surface = surface_height(xi, config.cell_nm)
        coupling.advance(new_surface, new_surface - surface, dt / r.second, (t + dt) / r.second)
        surface, t, steps = new_surface, t + dt, steps + 1
        times.append(t / r.second)
        amplitudes.append(perturbation_amplitude_nm(surface))
        means.append(float(surface.mean()))
        dt = min(dt_limit, dt * min(1.25, max(0.5, config.max_front_step / max(change, 1e-12))))

    history = (np.asarray(times), np.asarray(amplitudes), np.asarray(means))
    return _result(data.symbol, coupling, eta_v, config, surface0, (xi, conc, phi), history, steps, started)


def _stress_locations(coupling: FilmCoupling, stress_mpa: np.ndarray, from_tip_nm: np.ndarray) -> dict[str, float]:
    """Where the interfacial stress acts: at the tip (A), its extremes along tip → valley and over the run."""
    if coupling.film is None:
        return {}
    half = stress_mpa[len(stress_mpa) // 2:]
    low, high = int(np.argmin(half)), int(np.argmax(half))
    return {**coupling.locations, "final_tip_stress_mpa": float(half[0]),
            "final_min_stress_mpa": float(half[low]), "final_min_from_tip_nm": float(from_tip_nm[low]),
            "final_max_stress_mpa": float(half[high]), "final_max_from_tip_nm": float(from_tip_nm[high])}


def _result(symbol: str, coupling: FilmCoupling, eta_v: float, config: PhaseFieldConfig,
            surface0: np.ndarray, fields: tuple[np.ndarray, np.ndarray, np.ndarray],
            history: tuple[np.ndarray, np.ndarray, np.ndarray], steps: int, started: float) -> PhaseFieldResult:
    """The run's summary and fields; ``fields`` are (ξ, c̃, φ̃), ``history`` is (t, amplitude, mean height)."""
    xi, conc, phi = fields
    times, amplitudes, means = history
    ny, nx = config.shape
    dx = config.cell_nm
    surface = surface_height(xi, dx)
    mean0 = float(surface0.mean())
    depths, maps = coupling.stress_maps()
    x = (np.arange(nx) + 0.5) * dx
    centre = nx // 2
    amplitude0 = perturbation_amplitude_nm(surface0)
    stress_mpa = coupling.stress_mpa
    parameters = {**config.si_parameters(symbol), "overpotential_v": eta_v,
                  "film_thickness_m": coupling.film.thickness_nm * 1e-9 if coupling.film else None,
                  "film_modulus_pa": coupling.film.modulus_gpa * 1e9 if coupling.film else None,
                  "film_poisson_ratio": coupling.film.poisson_ratio if coupling.film else None}
    return PhaseFieldResult(
        metal=symbol,
        film_thickness_nm=coupling.film.thickness_nm if coupling.film else None,
        film_modulus_gpa=coupling.film.modulus_gpa if coupling.film else None,
        overpotential_v=eta_v,
        amplitude_ratio=perturbation_amplitude_nm(surface) / amplitude0 if amplitude0 > 0 else math.nan,
        initial_amplitude_nm=amplitude0,
        final_amplitude_nm=perturbation_amplitude_nm(surface),
        peak_tensile_stress_mpa=coupling.peak_tension_mpa,
        peak_compressive_stress_mpa=coupling.peak_compression_mpa,
        mean_rise_nm=float(surface.mean()) - mean0,
        time_s=times,
        amplitude_nm=amplitudes,
        mean_height_nm=means,
        x_nm=x,
        y_nm=(np.arange(ny) + 0.5) * dx,
        initial_surface_nm=surface0,
        final_surface_nm=surface,
        interfacial_stress_mpa=stress_mpa,
        # Fig. 4f: from the tip (A, mid-width) to the valley between periodic images (B)
        profile_distance_nm=x[centre:] - x[centre],
        profile_stress_mpa=stress_mpa[centre:],
        order_parameter=xi,
        concentration=conc,
        potential_v=phi * thermal_voltage_v(config.temperature_k),
        film_depth_nm=depths,
        film_stress_mpa=maps,
        parameters_si=parameters,
        # distances from the bump's axis at mid-width (for an even column count a cell face)
        stress_locations=_stress_locations(coupling, stress_mpa, np.abs(x[centre:] - config.width_nm / 2.0)),
        regime=regime_diagnostics(symbol, config, eta_v),
        steps=steps,
        cell_updates=steps * nx * ny,
        wall_s=time.perf_counter() - started,
    )
