"""Reduced CZM: an axisymmetric Reissner–Mindlin plate with von Kármán strains on a cohesive foundation.

Linear 1D elements in r for the mid-surface radial displacement u, the deflection w and the
rotation β (β → w' for thin plates); two-point Gauss quadrature, one point for transverse shear
(no shear locking). Strains, with z up from the mid-surface:
  ε_r = u' + w'²/2,  ε_θ = u/r,  κ_r = β',  κ_θ = β/r,  γ = w' − β.
The interface sits at the bottom face, z = −h/2: opening δn = w, slip δs = u + (h/2) β.
Degrees of freedom are interleaved [u, w, β] per node so the tangent is banded (5 + 5 diagonals).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.linalg import solve_banded

from .czm_solver import PlateProblem

_GAUSS = np.array([-1.0, 1.0]) / np.sqrt(3.0)
_BAND = 5  # half bandwidth of the interleaved [u, w, β] tangent


def _graded(start: float, stop: float, first: float, ratio: float, largest: float) -> np.ndarray:
    """Points from ``start`` to ``stop`` (either direction): steps grow from ``first`` by ``ratio`` up to ``largest``."""
    length = abs(stop - start)
    steps, total, size = [], 0.0, first
    while total < length:
        steps.append(size)
        total += size
        size = min(size * ratio, largest)
    steps = np.array(steps) * (length / total)
    return start + np.sign(stop - start) * np.concatenate([[0.0], np.cumsum(steps)])


def radial_grid(problem: PlateProblem) -> np.ndarray:
    """Nodes in r: graded towards the debond front from both sides, uniform over the fine zone."""
    a, step = problem.debond_radius_nm, problem.fine_step_nm
    inner = _graded(a, 0.0, step, 1.2, a / 12.0)[::-1]
    count = max(1, int(np.ceil((problem.fine_end_nm - a) / step)))
    fine = np.linspace(a, problem.fine_end_nm, count + 1)
    outer = _graded(problem.fine_end_nm, problem.outer_radius_nm, step, 1.3, 4.0 * problem.thickness_nm)
    return np.concatenate([inner, fine[1:], outer[1:]])


class AxisymmetricPlate:
    """The ``Discretization`` of ``czm_solver`` for the reduced model."""

    def __init__(self, problem: PlateProblem) -> None:
        self.problem = problem
        self.nodes_nm = radial_grid(problem)
        n_nodes = len(self.nodes_nm)
        self.n_dofs = 3 * n_nodes
        self.centre_dof = 1
        r1, r2 = self.nodes_nm[:-1], self.nodes_nm[1:]
        self.length = r2 - r1
        # shape functions at the Gauss points, shape (elements, 2)
        self.n1 = np.repeat(((1.0 - _GAUSS) / 2.0)[None], len(r1), axis=0)
        self.n2 = 1.0 - self.n1
        self.radius = self.n1 * r1[:, None] + self.n2 * r2[:, None]
        self.quadrature_radius_nm = self.radius
        self.weight = self.radius * self.length[:, None] / 2.0
        self.mid_radius = (r1 + r2) / 2.0
        self.element_dofs = 3 * np.arange(len(r1))[:, None] + np.arange(6)[None]
        # the initially debonded zone starts fully damaged
        debonded = self.radius < problem.debond_radius_nm
        self.initial_history = np.where(debonded, problem.law.failure_opening_nm, 0.0)
        self.fixed = np.array([0, 2])  # u(0) = β(0) = 0 by symmetry
        self._constant_operators(problem)

    def _constant_operators(self, problem: PlateProblem) -> None:
        """What does not change between iterations: the strain operators but w'², the plate tangent, the band layout."""
        h, nu, r, n1, n2 = problem.thickness_nm, problem.poisson_ratio, self.radius, self.n1, self.n2
        inv_l = np.broadcast_to(1.0 / self.length[:, None], r.shape)
        # strain measures [ε_r, ε_θ, κ_r, κ_θ, δn, δs] by the element dofs [u1, w1, β1, u2, w2, β2]:
        # shape (elements, points, 6 measures, 6 dofs); the w'² part of ε_r is added per iteration
        b = np.zeros(r.shape + (6, 6))
        b[..., 0, [0, 3]] = np.stack([-inv_l, inv_l], axis=-1)
        b[..., 1, [0, 3]] = np.stack([n1 / r, n2 / r], axis=-1)
        b[..., 2, [2, 5]] = np.stack([-inv_l, inv_l], axis=-1)
        b[..., 3, [2, 5]] = np.stack([n1 / r, n2 / r], axis=-1)
        b[..., 4, [1, 4]] = np.stack([n1, n2], axis=-1)
        b[..., 5, [0, 2, 3, 5]] = np.stack([n1, 0.5 * h * n1, n2, 0.5 * h * n2], axis=-1)
        self._b = b
        # plane-stress plate blocks of the material tangent, weighted; the cohesive block is filled per iteration
        tangent = np.zeros(r.shape + (6, 6))
        tangent[..., 0:2, 0:2] = problem.membrane_stiffness_gpa_nm * np.array([[1.0, nu], [nu, 1.0]])
        tangent[..., 2:4, 2:4] = problem.bending_stiffness_gpa_nm3 * np.array([[1.0, nu], [nu, 1.0]])
        self._tangent = tangent * self.weight[..., None, None]
        # transverse shear at the element midpoint: γ = w' − β
        one = np.ones_like(self.length)
        self._b_gamma = np.stack([0.0 * one, -1.0 / self.length, -0.5 * one, 0.0 * one, 1.0 / self.length, -0.5 * one], axis=-1)
        self._shear_weight = self.mid_radius * self.length * problem.shear_stiffness_gpa_nm
        self._shear_stiffness = self._shear_weight[:, None, None] * self._b_gamma[:, :, None] * self._b_gamma[:, None, :]
        # banded storage ab[BAND + i − j, j] = K[i, j]: one flat index per element matrix entry
        first = self.element_dofs[:, 0]
        i, j = np.meshgrid(np.arange(6), np.arange(6), indexing="ij")
        self._band_index = ((_BAND + i - j)[None] * self.n_dofs + first[:, None, None] + j[None]).ravel()

    def _kinematics(self, displacement: np.ndarray):
        q = displacement[self.element_dofs]
        n1, n2, inv_l = self.n1, self.n2, 1.0 / self.length[:, None]
        u = n1 * q[:, 0:1] + n2 * q[:, 3:4]
        w = n1 * q[:, 1:2] + n2 * q[:, 4:5]
        beta = n1 * q[:, 2:3] + n2 * q[:, 5:6]
        du = (q[:, 3:4] - q[:, 0:1]) * inv_l
        dw = (q[:, 4:5] - q[:, 1:2]) * inv_l
        dbeta = (q[:, 5:6] - q[:, 2:3]) * inv_l
        return q, u, w, beta, du, dw, dbeta

    def internal(self, displacement: np.ndarray, history: np.ndarray):
        p = self.problem
        h, nu = p.thickness_nm, p.poisson_ratio
        a_mem, d_bend = p.membrane_stiffness_gpa_nm, p.bending_stiffness_gpa_nm3
        q, u, w, beta, du, dw, dbeta = self._kinematics(displacement)
        r = self.radius
        slope = dw if p.geometric_nonlinearity else np.zeros_like(r)

        # ε_r = u' + w'²/2, ε_θ = u/r; κ_r = β', κ_θ = β/r
        eps_r, eps_t = du + 0.5 * slope**2, u / r
        kap_r, kap_t = dbeta, beta / r
        # N = A (ε_r + ν ε_θ, ε_θ + ν ε_r), M = D (κ_r + ν κ_θ, κ_θ + ν κ_r)
        n_r, n_t = a_mem * (eps_r + nu * eps_t), a_mem * (eps_t + nu * eps_r)
        m_r, m_t = d_bend * (kap_r + nu * kap_t), d_bend * (kap_t + nu * kap_r)
        # interface at the bottom face: δn = w, δs = u + (h/2) β
        t_n, t_s, c_coh, trial, _ = p.law.respond(w, (u + 0.5 * h * beta)[None], history)

        # ∂ε_r/∂w = w' ∂w'/∂w on top of the constant operators
        b = self._b.copy()
        inv_l = 1.0 / self.length[:, None]
        b[..., 0, 1], b[..., 0, 4] = -slope * inv_l, slope * inv_l
        # conjugate stresses and the material tangent: plane-stress plate blocks and the cohesive block
        stress = np.stack([n_r, n_t, m_r, m_t, t_n, t_s[0]], axis=-1) * self.weight[..., None]
        tangent = self._tangent.copy()
        tangent[..., 4:6, 4:6] = np.moveaxis(c_coh, (0, 1), (-2, -1)) * self.weight[..., None, None]
        b_t = np.swapaxes(b, -1, -2)
        force = np.matmul(b_t, stress[..., None])[..., 0].sum(axis=1)
        stiffness = np.matmul(b_t, np.matmul(tangent, b)).sum(axis=1)
        if p.geometric_nonlinearity:
            # N_r ∂²ε_r/∂w² = N_r (dN ⊗ dN) on the w dofs
            geo = np.sum(self.weight * n_r, axis=1) / self.length**2
            for i, j, sign in ((1, 1, 1.0), (1, 4, -1.0), (4, 1, -1.0), (4, 4, 1.0)):
                stiffness[:, i, j] += sign * geo

        # transverse shear at the element midpoint: Q = k G h γ
        gamma = np.einsum("ei,ei->e", self._b_gamma, q)
        force += (self._shear_weight * gamma)[:, None] * self._b_gamma
        stiffness += self._shear_stiffness

        global_force = np.bincount(self.element_dofs.ravel(), weights=force.ravel(), minlength=self.n_dofs)
        global_force[self.fixed] = 0.0  # reactions of the symmetry conditions
        return global_force, stiffness, trial

    def pressure_load(self, history: np.ndarray) -> np.ndarray:
        """∫ p w r dr over the loaded area for p = 1: the nucleus (r < a), or the debonded area weighted by damage."""
        p = self.problem
        if p.pressure_follows_debond:
            loaded = p.law.damage(history)
        else:
            loaded = (self.radius < p.debond_radius_nm).astype(float)
        per_element = np.stack([np.sum(self.weight * loaded * self.n1, axis=1), np.sum(self.weight * loaded * self.n2, axis=1)], axis=1)
        load = np.zeros(self.n_dofs)
        np.add.at(load, self.element_dofs[:, [1, 4]], per_element)
        return load

    def factorize(self, stiffness: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        band = np.bincount(self._band_index, weights=stiffness.ravel(),
                           minlength=(2 * _BAND + 1) * self.n_dofs).reshape(2 * _BAND + 1, self.n_dofs)
        # symmetry dofs: identity row and column
        for dof in self.fixed:
            band[:, dof] = 0.0
            for col in range(max(0, dof - _BAND), min(self.n_dofs, dof + _BAND + 1)):
                band[_BAND + dof - col, col] = 0.0
            band[_BAND, dof] = 1.0

        def solve(rhs: np.ndarray) -> np.ndarray:
            rhs = np.array(rhs, dtype=float)
            rhs[self.fixed] = 0.0
            return solve_banded((_BAND, _BAND), band, rhs, check_finite=False)

        return solve

    def dissipation(self, displacement: np.ndarray, history: np.ndarray) -> tuple[float, np.ndarray]:
        """Energy the interface dissipates beyond ``history`` (∫ ΔD r dr, per radian) and its gradient by the dofs.

        Only points opening past their peak so far dissipate: ∂λ/∂q = (<δn> ∂δn/∂q + δs ∂δs/∂q)/λ there.
        """
        law, h = self.problem.law, self.problem.thickness_nm
        _, u, w, beta, *_ = self._kinematics(displacement)
        opening, slip = np.maximum(w, 0.0), u + 0.5 * h * beta
        equivalent = np.sqrt(opening**2 + slip**2)
        peak = np.maximum(history, equivalent)
        value = float(np.sum(self.weight * (law.dissipated_energy(peak) - law.dissipated_energy(history))))
        loading = equivalent >= history
        rate = np.where(loading, law.dissipation_rate(equivalent), 0.0) * self.weight / np.where(equivalent > 0.0, equivalent, 1.0)
        n1, n2 = self.n1, self.n2
        # ∂δn/∂q = [0, n1, 0, 0, n2, 0], ∂δs/∂q = [n1, 0, h n1/2, n2, 0, h n2/2]
        local = np.stack([slip * n1, opening * n1, 0.5 * h * slip * n1, slip * n2, opening * n2, 0.5 * h * slip * n2], axis=-1)
        gradient = np.zeros(self.n_dofs)
        np.add.at(gradient, self.element_dofs, np.einsum("eg,egi->ei", rate, local))
        gradient[self.fixed] = 0.0
        return value, gradient

    def interface_state(self, displacement: np.ndarray) -> dict[str, np.ndarray]:
        """Nodal opening, slip and equivalent opening (for the energy release rate at the tip)."""
        u, w, beta = displacement[0::3], displacement[1::3], displacement[2::3]
        slip = u + 0.5 * self.problem.thickness_nm * beta
        return {"radius_nm": self.nodes_nm, "opening_nm": w, "equivalent_nm": np.sqrt(np.maximum(w, 0.0) ** 2 + slip**2)}
