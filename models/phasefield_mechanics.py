"""Plane-strain elasticity of a film bonded over a moving metal surface, solved mode by mode.

The film is a layer 0 ≤ z ≤ h above the metal/film interface, periodic in x. Its bottom is bonded
to the metal (u_x = 0) and carried up with the interface (u_z = w(x), the differential rise of the
interface); its top is traction-free (electrolyte). For a mode w = ŵ e^{ikx} the Navier equations

    (λ+2μ) u_x,xx + μ u_x,zz + (λ+μ) u_z,xz = 0,    μ u_z,xx + (λ+2μ) u_z,zz + (λ+μ) u_x,xz = 0

reduce to a constant-coefficient ODE system in z, solved exactly with a matrix exponential. The
interfacial normal stress is then σ_n(k) = −K(k) ŵ(k): a diagonal operator in Fourier space, so the
whole film costs two FFTs per time step. A uniform rise (k = 0) is a rigid translation: no stress.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import expm

# Beyond k·h = 20 the top surface no longer reaches the interface (e^{-20}); the layer is a half-space.
_MAX_KH = 20.0


def lame_constants(modulus: float, poisson_ratio: float) -> tuple[float, float]:
    """(λ, μ) from Young's modulus and Poisson's ratio, in the modulus' units."""
    # μ = E / (2(1+ν)),  λ = E ν / ((1+ν)(1−2ν))
    mu = modulus / (2.0 * (1.0 + poisson_ratio))
    lam = modulus * poisson_ratio / ((1.0 + poisson_ratio) * (1.0 - 2.0 * poisson_ratio))
    return lam, mu


def _mode_matrix(lam: float, mu: float) -> np.ndarray:
    """A in dy/dζ = A y for y = (U, V, U', V'), ζ = k z, mode e^{ikx}."""
    a = np.zeros((4, 4), dtype=complex)
    a[0, 2] = a[1, 3] = 1.0
    # μ U'' = (λ+2μ) U − i(λ+μ) V'
    a[2, 0] = (lam + 2.0 * mu) / mu
    a[2, 3] = -1j * (lam + mu) / mu
    # (λ+2μ) V'' = μ V − i(λ+μ) U'
    a[3, 1] = mu / (lam + 2.0 * mu)
    a[3, 2] = -1j * (lam + mu) / (lam + 2.0 * mu)
    return a


def _unit_mode(kh: float, lam: float, mu: float) -> tuple[np.ndarray, np.ndarray]:
    """Initial state y(0) for ŵ = 1 and the propagator generator A (ζ units)."""
    a = _mode_matrix(lam, mu)
    top = expm(a * kh)
    # Traction-free top: σ_xz ∝ μ(U' + iV) = 0 and σ_zz ∝ iλU + (λ+2μ)V' = 0 at ζ = kh.
    traction = np.array([[0.0, 1j * mu, mu, 0.0], [1j * lam, 0.0, 0.0, lam + 2.0 * mu]], dtype=complex)
    rows = traction @ top
    # Bonded bottom: U(0) = 0, V(0) = 1; unknowns U'(0), V'(0).
    slopes = np.linalg.solve(rows[:, 2:], -rows[:, 1])
    return np.array([0.0, 1.0, slopes[0], slopes[1]], dtype=complex), a


def interface_stiffness(wavenumbers: np.ndarray, thickness: float, lam: float, mu: float) -> np.ndarray:
    """K(k) with σ_n = −K ŵ for each non-negative wavenumber (stress units of λ, μ per length)."""
    stiffness = np.zeros(len(wavenumbers))
    for i, k in enumerate(wavenumbers):
        if k <= 0.0:
            continue
        y0, _ = _unit_mode(min(k * thickness, _MAX_KH), lam, mu)
        # σ_zz(0) = iλk U + (λ+2μ) k V'(ζ=0), with U(0) = 0
        stiffness[i] = -((lam + 2.0 * mu) * k * y0[3]).real
    return stiffness


def film_stress_modes(wavenumbers: np.ndarray, thickness: float, depths: np.ndarray, lam: float,
                      mu: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Transfer functions (σ_xx, σ_zz, σ_xz) at heights ``depths`` above the interface for ŵ = 1.

    Arrays of shape (len(depths), len(wavenumbers)); multiply by ŵ(k) and inverse-FFT along x.
    """
    shape = (len(depths), len(wavenumbers))
    sxx, szz, sxz = (np.zeros(shape, dtype=complex) for _ in range(3))
    depths = np.asarray(depths, dtype=float)
    k_all = np.asarray(wavenumbers, dtype=float)
    if len(depths) > 1 and depths[0] == 0.0 and np.allclose(np.diff(depths), depths[1]) and (k_all > 0).any():
        live = k_all > 0.0
        k = k_all[live]
        y = _states_at_depths(k, thickness, depths, lam, mu)
        u, v, du, dv = (y[..., i] for i in range(4))
        sxx[:, live] = k * ((lam + 2.0 * mu) * 1j * u + lam * dv)
        szz[:, live] = k * (lam * 1j * u + (lam + 2.0 * mu) * dv)
        sxz[:, live] = k * mu * (du + 1j * v)
        return sxx, szz, sxz
    for i, k in enumerate(wavenumbers):
        if k <= 0.0:
            continue
        kh = min(k * thickness, _MAX_KH)
        y0, a = _unit_mode(kh, lam, mu)
        for j, z in enumerate(depths):
            zeta = k * z
            if zeta > kh:
                continue  # beyond the half-space cut-off the mode has decayed
            u, v, du, dv = expm(a * zeta) @ y0
            # σ_xx = (λ+2μ) u_x,x + λ u_z,z ; σ_zz = λ u_x,x + (λ+2μ) u_z,z ; σ_xz = μ(u_x,z + u_z,x)
            sxx[j, i] = k * ((lam + 2.0 * mu) * 1j * u + lam * dv)
            szz[j, i] = k * (lam * 1j * u + (lam + 2.0 * mu) * dv)
            sxz[j, i] = k * mu * (du + 1j * v)
    return sxx, szz, sxz


def diffuse_interface_stiffness(wavenumbers: np.ndarray, thickness: float, interface_width: float, lam: float,
                                mu: float, samples: int = 33) -> np.ndarray:
    """K_δ(k) with σ_n = −K_δ ŵ: the film's σ_zz averaged over the film side of the diffuse interface.

    The metal/film interface is the diffuse profile ξ = ½[1 − tanh(2z/δ)] about its mid-plane z = 0,
    where the film's bonded face sits. The reaction that the stress biases acts across the profile
    with the weight h′(ξ)|ξ′| of the front's solvability integral (the flat-front speed is
    ∝ ∫h′(ξ) B |ξ′| dz), and on the film side (z > 0) the stress there is the film's σ_zz(k, z). So
    the traction the front feels is σ_zz(k, z) averaged with that weight over z ∈ [0, 3δ/2] (beyond
    the film's thickness there is electrolyte: no stress). Modes shorter than the interface decay
    across it (σ_zz ∝ e^{−kz}), so K_δ → a constant ~ E/δ as k → ∞, where the sharp K grows ∝ k and
    the peak stress of a kinked surface diverges under refinement. No parameter beyond δ.
    """
    z = np.linspace(0.0, 1.5 * interface_width, samples)
    xi = 0.5 * (1.0 - np.tanh(2.0 * z / interface_width))
    weight = 30.0 * xi**2 * (1.0 - xi) ** 2 * (2.0 / interface_width) * 2.0 * xi * (1.0 - xi)
    weight *= (z <= thickness)
    # trapezoid weights, normalized over the whole film-side profile
    trapezoid = np.full(samples, z[1] - z[0])
    trapezoid[[0, -1]] *= 0.5
    full = 30.0 * xi**2 * (1.0 - xi) ** 2 * (2.0 / interface_width) * 2.0 * xi * (1.0 - xi)
    weight = weight * trapezoid / float((full * trapezoid).sum())
    stiffness = np.zeros(len(wavenumbers))
    k = np.asarray(wavenumbers, dtype=float)
    live = k > 0.0
    if live.any():
        stiffness[live] = -(weight[:, None] * _normal_stress_at_depths(k[live], thickness, z, lam, mu)).sum(axis=0).real
    return stiffness


def _states_at_depths(k: np.ndarray, thickness: float, z: np.ndarray, lam: float, mu: float) -> np.ndarray:
    """y = (U, V, U', V') at uniformly spaced heights ``z`` from 0 for ŵ = 1, shape (len(z), len(k), 4).

    One propagator per mode, y(z + Δz) = e^{A k Δz} y(z); beyond the half-space cut-off (kz > 20)
    the mode has decayed and is set to zero, as in ``film_stress_modes``.
    """
    a = _mode_matrix(lam, mu)
    kh = np.minimum(k * thickness, _MAX_KH)
    top = expm(a[None, :, :] * kh[:, None, None])
    traction = np.array([[0.0, 1j * mu, mu, 0.0], [1j * lam, 0.0, 0.0, lam + 2.0 * mu]], dtype=complex)
    rows = traction[None, :, :] @ top                                       # (nk, 2, 4)
    slopes = np.linalg.solve(rows[:, :, 2:], -rows[:, :, 1:2])[:, :, 0]     # (nk, 2)
    y0 = np.stack([np.zeros_like(slopes[:, 0]), np.ones_like(slopes[:, 0]), slopes[:, 0], slopes[:, 1]], axis=1)
    spacing = z[1] - z[0] if len(z) > 1 else 0.0
    step = expm(a[None, :, :] * (k * spacing)[:, None, None])
    states = [y0]
    for _ in range(len(z) - 1):
        states.append(np.einsum("kij,kj->ki", step, states[-1]))
    propagated = np.stack(states)
    return np.where((k[None, :] * z[:, None] > kh[None, :])[..., None], 0.0, propagated)


def _normal_stress_at_depths(k: np.ndarray, thickness: float, z: np.ndarray, lam: float, mu: float) -> np.ndarray:
    """σ_zz(k, z) for ŵ = 1 at uniformly spaced ``z`` from 0 (shape (len(z), len(k))), as ``film_stress_modes``."""
    y = _states_at_depths(k, thickness, z, lam, mu)
    return k[None, :] * (lam * 1j * y[..., 0] + (lam + 2.0 * mu) * y[..., 3])
