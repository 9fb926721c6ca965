"""Phase-field electrodeposition under an elastic film (paper Fig. 4c–f).

Chen et al. (2015) model, in reduced units (length nm, time s, potential RT/F, concentration c0,
stress RT/Ω): order parameter ξ (metal 1, electrolyte 0), Li⁺ concentration c̃ = c/c0 and
electrolyte potential φ̃,

    ∂ξ/∂t = −L_σ[g′(ξ) − κ∇²ξ] − L_η h′(ξ)[e^{(1−α)f η_a} − c̃ e^{−α f η_a}]
    ∂c̃/∂t = ∇·[D(ξ)(∇c̃ + c̃∇φ̃)] − (c_s/c0) ∂ξ/∂t
    ∇·[D(ξ)∇φ̃] = (c_s/c0) ∂ξ/∂t

with g = Wξ²(1−ξ)², h = ξ³(6ξ²−15ξ+10), D(ξ) = D_s h + D_l(1−h). The ionic conductivity in
units of F²c0/RT equals D (Nernst–Einstein; Hong & Viswanathan's σ_l = 1.19 S m⁻¹ is exactly
F²c0D_l/RT). The metal conducts electrons, so it sits at the applied potential and the local
activation overpotential is η_a = η − φ_l, shifted by the film stress (Tantratian et al. 2021):

    f η_a → f(η − φ_l) − Ω σ_n / RT        (σ_n tension positive)

The film is an elastic layer over the interface (``phasefield_mechanics``); its bottom is carried by
the interface's differential rise w(x). A finite ``film_relaxation_time_s`` makes it a Maxwell
solid (stress = elastic operator on the fading-memory displacement); ``inf`` is purely elastic.

Numerics: the grid is cell-centred, periodic in x; ξ has no flux through top and bottom, c̃ and φ̃
are held at the bulk values at the top (reservoir) and have no flux through the bottom. ξ and c̃
are stepped semi-implicitly with a constant-coefficient implicit part inverted exactly by FFT (x)
and DCT (y) of the 5-point Laplacian (stabilised scheme); φ̃ is solved with a sparse LU factor
that is reused as a preconditioner and refreshed only when it stops converging quickly.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import scipy.fft as sfft

from .electrochem import ROOM_TEMPERATURE_K, metal as lookup_metal, thermal_voltage_v
from .errors import SimulationInputError, require_positive
from .film import Film
from .phasefield_mechanics import film_stress_modes, interface_stiffness, lame_constants

MODEL_VERSION = "phasefield-1"
# c̃ floor inside ln c̃: a fully depleted cell would otherwise give φ̃ = −∞
_MIN_CONCENTRATION = 1e-6


class SimulationCancelled(Exception):
    """The caller's ``should_cancel`` asked the run to stop."""


@dataclass(frozen=True)
class PhaseFieldConfig:
    """Grid, set-up and reduced parameters. Lengths nm, times s.

    Defaults: Hong & Viswanathan's normalized set (κ 0.3, W 2.4, D_l 318, D_s 0.75, c_s/c0 76.4,
    α 0.5) read with length unit 1 nm, so the interface width √(8κ/W) is 1 nm.
    """

    width_nm: float = 32.0
    height_nm: float = 32.0
    cell_nm: float = 0.25
    base_height_nm: float = 8.0             # flat metal surface above the bottom boundary
    perturbation_radius_nm: float = 4.0     # semicircular bump at mid-width (paper Fig. 4c)
    plated_thickness_nm: float = 4.0        # end state: mean surface rise
    max_time_s: float = 600.0               # stop even if the rise is not reached
    gradient_coefficient: float = 0.3       # κ
    barrier_height: float = 2.4             # W
    interface_mobility: float = 0.5         # L_σ, 1/s
    # L_η: flat front at −0.1 V plates ≈ 1 nm/s kinetically, i = F c_s v ≈ 0.7 mA cm⁻² (assumption).
    reaction_rate: float = 0.1
    transfer_coefficient: float = 0.5       # α
    diffusivity_electrolyte_nm2_s: float = 318.0
    diffusivity_metal_nm2_s: float = 0.75
    site_density_ratio: float = 76.4        # c_s / c0
    bulk_concentration: float = 1.0         # c̃ at the reservoir
    temperature_k: float = ROOM_TEMPERATURE_K
    # Maxwell relaxation of the film stress (alucone creeps; assumption). inf: purely elastic.
    film_relaxation_time_s: float = 1.0
    film_map_levels: int = 24
    max_front_step: float = 0.05            # largest change of ξ in one step
    max_dt_s: float = 0.1

    def __post_init__(self) -> None:
        for name in ("width_nm", "height_nm", "cell_nm", "base_height_nm", "plated_thickness_nm", "max_time_s",
                     "gradient_coefficient", "barrier_height", "interface_mobility", "reaction_rate",
                     "diffusivity_electrolyte_nm2_s", "diffusivity_metal_nm2_s", "site_density_ratio",
                     "bulk_concentration", "temperature_k", "max_front_step", "max_dt_s"):
            require_positive(name, getattr(self, name), SimulationInputError)
        if not self.film_relaxation_time_s > 0.0:  # inf allowed: a purely elastic film
            raise SimulationInputError(f"film_relaxation_time_s must be positive, got {self.film_relaxation_time_s!r}")
        if self.perturbation_radius_nm < 0.0:
            raise SimulationInputError(f"perturbation_radius_nm must be >= 0, got {self.perturbation_radius_nm!r}")
        if not 0.0 < self.transfer_coefficient < 1.0:
            raise SimulationInputError(f"transfer_coefficient must lie in (0, 1), got {self.transfer_coefficient!r}")
        # Three cells across the interface width is the least that keeps the front shape and speed.
        if self.cell_nm > self.interface_width_nm / 3.0:
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
        # δ = √(8κ/W)
        return math.sqrt(8.0 * self.gradient_coefficient / self.barrier_height)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows along y, columns along x)."""
        return round(self.height_nm / self.cell_nm), round(self.width_nm / self.cell_nm)


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
    steps: int = 0
    cell_updates: int = 0
    wall_s: float = 0.0
    model_version: str = MODEL_VERSION

    def summary(self) -> dict:
        """JSON-safe scalars and small arrays (no 2-D fields)."""
        def small(a: np.ndarray) -> list[float]:
            return [float(v) for v in np.asarray(a, dtype=float)]
        every = max(1, len(self.time_s) // 50)
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
            "steps": self.steps,
            "wall_s": float(self.wall_s),
        }


def flat_front_velocity_nm_s(overpotential_v: float, config: PhaseFieldConfig,
                             concentration: float | None = None) -> float:
    """Analytic speed of a flat front (L_σ ≫ L_η), positive when plating.

    Solvability of the travelling wave on the equilibrium profile (|ξ′| = √(2W/κ) ξ(1−ξ)):
    v ∫ξ′² dx = L_η B ∫h′ ξ′ dx  →  v = 6 L_η √(κ/2W) [c̃ e^{−αfη} − e^{(1−α)fη}].
    """
    c = config.bulk_concentration if concentration is None else concentration
    f_eta = overpotential_v / thermal_voltage_v(config.temperature_k)
    a = config.transfer_coefficient
    drive = c * math.exp(-a * f_eta) - math.exp((1.0 - a) * f_eta)
    return 6.0 * config.reaction_rate * math.sqrt(config.gradient_coefficient / (2.0 * config.barrier_height)) * drive


def equilibrium_overpotential_v(config: PhaseFieldConfig) -> float:
    """Nernst: η_eq = (RT/F) ln(c/c0) at the bulk concentration."""
    return thermal_voltage_v(config.temperature_k) * math.log(config.bulk_concentration)


# --- grid operators ------------------------------------------------------------------------------


def _laplacian_symbols(config: PhaseFieldConfig) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of −∇² (5-point) for (no-flux, no-flux) and (no-flux bottom, fixed top) in y."""
    ny, nx = config.shape
    d = config.cell_nm
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


def _initial_order_parameter(config: PhaseFieldConfig, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Equilibrium tanh profile around a flat surface with a semicircular bump at mid-width."""
    xx, yy = np.meshgrid(x, y)
    # signed distance (metal negative) to the union of the half-plane and the disc
    to_plane = yy - config.base_height_nm
    to_disc = np.hypot(xx - config.width_nm / 2.0, yy - config.base_height_nm) - config.perturbation_radius_nm
    distance = np.minimum(to_plane, to_disc)
    # ξ = ½[1 − tanh(d √(W/2κ))] solves κξ″ = g′(ξ)
    return 0.5 * (1.0 - np.tanh(distance * math.sqrt(config.barrier_height / (2.0 * config.gradient_coefficient))))


def _surface_height(xi: np.ndarray, dx: float) -> np.ndarray:
    """Interface height per column: the metal content ∫ξ dy (exact for a single-valued surface)."""
    return xi.sum(axis=0) * dx


def _amplitude(surface: np.ndarray) -> float:
    return float(surface.max() - surface.min())


# --- the model -----------------------------------------------------------------------------------


def simulate_phasefield(metal: str, film: Film | None, *, overpotential_v: float = -0.1,
                        config: PhaseFieldConfig | None = None,
                        progress: Callable[[float], None] | None = None,
                        should_cancel: Callable[[], bool] | None = None) -> PhaseFieldResult:
    """Plate ``metal`` under ``film`` (None: bare) until the surface has risen ``plated_thickness_nm``.

    Raises SimulationInputError before any stepping for input that cannot be simulated, and
    SimulationCancelled when ``should_cancel()`` turns true.
    """
    config = config or PhaseFieldConfig()
    data = lookup_metal(metal)
    film_model = _validated_film(film)
    try:
        eta_v = float(overpotential_v)
    except (TypeError, ValueError):
        raise SimulationInputError(f"overpotential_v must be a number, got {overpotential_v!r}") from None
    eta_eq_v = equilibrium_overpotential_v(config)
    if not math.isfinite(eta_v) or eta_v > eta_eq_v:
        raise SimulationInputError(
            f"plating needs an overpotential at or below the equilibrium {eta_eq_v:.4f} V, got {overpotential_v!r} V")

    started = time.perf_counter()
    rt_j_mol = 8.314462618 * config.temperature_k
    omega_m3_mol = data.molar_volume_cm3_mol * 1e-6
    # reduced stress: Ωσ/RT per MPa
    stress_per_mpa = omega_m3_mol * 1e6 / rt_j_mol
    f_eta = eta_v / thermal_voltage_v(config.temperature_k)

    ny, nx = config.shape
    dx = config.cell_nm
    x = (np.arange(nx) + 0.5) * dx
    y = (np.arange(ny) + 0.5) * dx
    kappa, barrier = config.gradient_coefficient, config.barrier_height
    l_sigma, l_eta, alpha = config.interface_mobility, config.reaction_rate, config.transfer_coefficient
    d_l, d_s = config.diffusivity_electrolyte_nm2_s, config.diffusivity_metal_nm2_s
    ratio_cs = config.site_density_ratio
    c_bulk = config.bulk_concentration

    lap_neumann, lap_mixed = _laplacian_symbols(config)
    # c̃ is stabilised with A ≥ max D (unconditionally stable). ξ is not: a stabiliser S would slow
    # the front by 1/(1 + dt L_σ S). Implicit ∇² with explicit g′ also slows a moving front, by
    # 1/(1 + L_σκ dt ∫ξ″²/∫ξ′²) = 1/(1 + 3.2 L_σκ dt) on the tanh profile: L_σκ dt ≤ 0.004 keeps that
    # under 1.3 %, well inside the explicit limit 2/(L_σ max g″).
    stab_c = max(d_l, d_s)
    dt_limit = min(config.max_dt_s, 0.004 / (l_sigma * kappa), 0.2 / (l_sigma * 2.0 * barrier))

    wavenumbers = 2.0 * np.pi * np.fft.rfftfreq(nx, d=dx)
    if film_model is not None:
        lam_gpa, mu_gpa = lame_constants(film_model.modulus_gpa, film_model.poisson_ratio)
        # σ_n = −K w ; K in GPa/nm → MPa/nm
        stiffness_mpa_nm = 1e3 * interface_stiffness(wavenumbers, film_model.thickness_nm, lam_gpa, mu_gpa)
        # The diffuse surface is located only to within its width δ: modes finer than δ carry grid
        # noise, which K ∝ k would amplify. Gaussian filter e^{−(kδ)²/2}.
        resolved = np.exp(-0.5 * (wavenumbers * config.interface_width_nm) ** 2)
        stiffness_mpa_nm *= resolved
    else:
        stiffness_mpa_nm = np.zeros_like(wavenumbers)
    memory = config.film_relaxation_time_s
    # β = ∂v/∂σ_n of the flat front: fη_a → fη_a − Ωσ/RT
    front = 6.0 * l_eta * math.sqrt(kappa / (2.0 * barrier))
    sensitivity_nm_s_mpa = front * stress_per_mpa * (
        alpha * c_bulk * math.exp(-alpha * f_eta) + (1.0 - alpha) * math.exp((1.0 - alpha) * f_eta))

    xi = _initial_order_parameter(config, x, y)
    conc = np.full_like(xi, c_bulk)
    phi = np.zeros_like(xi)
    surface0 = _surface_height(xi, dx)
    surface = surface0.copy()
    mean0 = float(surface0.mean())
    displacement_nm = np.zeros(nx)
    stress_mpa = np.zeros(nx)
    peak_tension, peak_compression = 0.0, 0.0

    times, amplitudes, means = [0.0], [_amplitude(surface0)], [mean0]
    t, dt, steps = 0.0, min(dt_limit, 0.01), 0
    target = config.plated_thickness_nm
    while True:
        rise = float(surface.mean()) - mean0
        if progress is not None:
            progress(min(1.0, max(0.0, rise / target)))
        if rise >= target or t >= config.max_time_s:
            break
        if should_cancel is not None and should_cancel():
            raise SimulationCancelled(f"phase-field run cancelled at t = {t:.3g} s")

        h = xi**3 * (6.0 * xi**2 - 15.0 * xi + 10.0)
        dh = 30.0 * xi**2 * (1.0 - xi) ** 2
        # g′(ξ) = 2Wξ(1−ξ)(1−2ξ)
        dg = 2.0 * barrier * xi * (1.0 - xi) * (1.0 - 2.0 * xi)
        # f η_a = f(η − φ_l) − Ωσ_n/RT, σ_n a function of x only (it acts on the interface)
        f_eta_a = f_eta - phi - stress_per_mpa * stress_mpa[None, :]
        reaction = np.exp((1.0 - alpha) * f_eta_a) - np.clip(conc, 0.0, None) * np.exp(-alpha * f_eta_a)
        # (1/dt − L_σ κ∇²) ξⁿ⁺¹ = ξⁿ/dt − L_σ g′(ξⁿ) − L_η h′ B
        rhs = xi / dt - l_sigma * dg - l_eta * dh * reaction
        xi_new = _solve_neumann(rhs, 1.0 / dt + l_sigma * kappa * lap_neumann)
        change = float(np.abs(xi_new - xi).max())
        if not math.isfinite(change):
            raise SimulationInputError(f"phase-field run diverged at t = {t:.3g} s; lower max_dt_s")
        if change > 2.0 * config.max_front_step and dt > 1e-6:
            dt *= 0.5  # reject: the front would jump
            continue
        rate = (xi_new - xi) / dt
        diffusivity = d_s * h + d_l * (1.0 - h)

        # c̃: (1 − 2 dt A∇²) δc = dt[∇·(2D∇c̃) − (c_s/c0) ∂ξ/∂t]   (D(∇c̃ + c̃∇φ̃) = 2D∇c̃)
        transport = _divergence_flux(conc, 2.0 * diffusivity, c_bulk, dx)
        conc = conc + _solve_mixed(dt * (transport - ratio_cs * rate), 1.0 + 2.0 * dt * stab_c * lap_mixed)
        xi = xi_new
        # φ̃ = ln(c̃/c_b): the anion is blocked, so it sits in Boltzmann equilibrium
        phi = np.log(np.clip(conc, _MIN_CONCENTRATION, None) / c_bulk)

        new_surface = _surface_height(xi, dx)
        rise_step = new_surface - surface
        surface = new_surface
        if film_model is not None:
            # Maxwell film: w ← w e^{−dt/τ} + (differential advance); σ_n = −K w per mode. The stress of
            # this step feeds the next one; linearising the rise in σ (β = ∂v/∂σ) and taking it at
            # the new level gives σ̂ⁿ⁺¹(1 + K dt β) = −K ŵⁿ⁺¹ + K dt β σ̂ⁿ, stable for any stiffness.
            # the film is carried along the normal: advance = column rise × cos θ = δs / √(1 + s′²)
            slope = (np.roll(surface, -1) - np.roll(surface, 1)) / (2.0 * dx)
            advance = rise_step / np.sqrt(1.0 + slope**2)
            displacement_nm = displacement_nm * math.exp(-dt / memory) + (advance - advance.mean())
            gain = stiffness_mpa_nm * dt * sensitivity_nm_s_mpa
            stress_hat = (-stiffness_mpa_nm * np.fft.rfft(displacement_nm) + gain * np.fft.rfft(stress_mpa)) / (1.0 + gain)
            stress_mpa = np.fft.irfft(stress_hat, n=nx)
            peak_tension = max(peak_tension, float(stress_mpa.max()))
            peak_compression = min(peak_compression, float(stress_mpa.min()))

        t += dt
        steps += 1
        times.append(t)
        amplitudes.append(_amplitude(surface))
        means.append(float(surface.mean()))
        dt = min(dt_limit, dt * min(1.25, max(0.5, config.max_front_step / max(change, 1e-12))))

    # Film stress map at the end: modes of the final displacement, rows at heights above the interface.
    depths = np.linspace(0.0, film_model.thickness_nm, config.film_map_levels) if film_model else np.zeros(0)
    maps: dict[str, np.ndarray] = {}
    if film_model is not None:
        modes = film_stress_modes(wavenumbers, film_model.thickness_nm, depths, lam_gpa, mu_gpa)
        w_hat = resolved * np.fft.rfft(displacement_nm)
        sxx, szz, sxz = (1e3 * np.fft.irfft(m * w_hat[None, :], n=nx, axis=1) for m in modes)
        # plane strain: σ_yy(out of plane) = ν(σ_xx + σ_zz)
        syy = film_model.poisson_ratio * (sxx + szz)
        von_mises = np.sqrt(0.5 * ((sxx - syy) ** 2 + (syy - szz) ** 2 + (szz - sxx) ** 2) + 3.0 * sxz**2)
        maps = {"sxx": sxx, "szz": szz, "sxz": sxz, "von_mises": von_mises}

    centre = nx // 2
    amplitude0 = _amplitude(surface0)
    return PhaseFieldResult(
        metal=data.symbol,
        film_thickness_nm=film_model.thickness_nm if film_model else None,
        film_modulus_gpa=film_model.modulus_gpa if film_model else None,
        overpotential_v=eta_v,
        amplitude_ratio=_amplitude(surface) / amplitude0 if amplitude0 > 0 else math.nan,
        initial_amplitude_nm=amplitude0,
        final_amplitude_nm=_amplitude(surface),
        peak_tensile_stress_mpa=peak_tension,
        peak_compressive_stress_mpa=peak_compression,
        mean_rise_nm=float(surface.mean()) - mean0,
        time_s=np.asarray(times),
        amplitude_nm=np.asarray(amplitudes),
        mean_height_nm=np.asarray(means),
        x_nm=x,
        y_nm=y,
        initial_surface_nm=surface0,
        final_surface_nm=surface,
        interfacial_stress_mpa=stress_mpa,
        profile_distance_nm=x[centre:] - x[centre],
        profile_stress_mpa=stress_mpa[centre:],
        order_parameter=xi,
        concentration=conc,
        potential_v=phi * thermal_voltage_v(config.temperature_k),
        film_depth_nm=depths,
        film_stress_mpa=maps,
        steps=steps,
        cell_updates=steps * nx * ny,
        wall_s=time.perf_counter() - started,
    )
