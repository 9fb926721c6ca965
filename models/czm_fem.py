"""Reference CZM: a 2D finite-element Reissner–Mindlin plate with von Kármán strains on a cohesive interface.

No axisymmetry is assumed in the equations: the film is meshed in its own plane (a quarter disk
with symmetry conditions on both cut edges) with quadratic triangles (scikit-fem) for
u = (u_x, u_y), w and β = (β_x, β_y). Strains, the 2D forms of ``czm_reduced``:
  ε = sym ∇u + ∇w ⊗ ∇w / 2,  κ = sym ∇β,  γ = ∇w − β,  δn = w,  δs = u + (h/2) β.
The bending and shear stiffness is assembled once; membrane and interface parts every iteration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.linalg import splu
from skfem import Basis, ElementTriP2, ElementVector, MeshTri

from .czm_reduced import radial_grid
from .czm_solver import PlateProblem

# local measures: ε_xx, ε_yy, 2ε_xy | κ_xx, κ_yy, 2κ_xy | γ_x, γ_y | δn | δs_x, δs_y
_MEMBRANE, _BENDING, _SHEAR, _OPEN, _SLIP = slice(0, 3), slice(3, 6), slice(6, 8), 8, slice(9, 11)


def quarter_disk_mesh(radii_nm: np.ndarray, angular_elements: int) -> MeshTri:
    """Rings at ``radii_nm`` (the first is the centre) over a quarter circle; a fan of triangles at the centre."""
    angles = np.linspace(0.0, 0.5 * np.pi, angular_elements + 1)
    rings = radii_nm[1:]
    x = np.concatenate([[0.0], (rings[:, None] * np.cos(angles)[None]).ravel()])
    y = np.concatenate([[0.0], (rings[:, None] * np.sin(angles)[None]).ravel()])
    node = lambda ring, j: 1 + ring * (angular_elements + 1) + j  # noqa: E731
    j = np.arange(angular_elements)
    fan = np.stack([np.zeros_like(j), node(0, j), node(0, j + 1)])
    quads = [np.stack([node(i - 1, j), node(i, j), node(i, j + 1), node(i - 1, j + 1)]) for i in range(1, len(rings))]
    quads = np.concatenate(quads, axis=1)
    triangles = np.concatenate([fan, quads[[0, 1, 2]], quads[[0, 2, 3]]], axis=1)
    return MeshTri(np.stack([x, y]), triangles)


def _gram(b: np.ndarray, c: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """Element matrices ∫ Bᵀ C B dA: b (el, q, a, i), c (a, a) or (el, q, a, a), dx (el, q) -> (el, i, i)."""
    cb = np.matmul(c, b) * dx[..., None, None]
    n_el, n_q, n_a, n_i = b.shape
    return np.matmul(b.reshape(n_el, n_q * n_a, n_i).transpose(0, 2, 1), cb.reshape(n_el, n_q * n_a, n_i))


def _plane_stress(stiffness: float, nu: float) -> np.ndarray:
    """Voigt plane-stress matrix with engineering shear: S [[1, ν, 0], [ν, 1, 0], [0, 0, (1 − ν)/2]]."""
    return stiffness * np.array([[1.0, nu, 0.0], [nu, 1.0, 0.0], [0.0, 0.0, 0.5 * (1.0 - nu)]])


class QuarterDiskPlate:
    """The ``Discretization`` of ``czm_solver`` for the 2D finite-element model."""

    def __init__(self, problem: PlateProblem, angular_elements: int = 6) -> None:
        self.problem = problem
        # quadratic elements: twice the span of the reduced model's linear ones for the same resolution
        radii = radial_grid(replace(problem, fine_step_nm=2.0 * problem.fine_step_nm))
        self.mesh = quarter_disk_mesh(radii, angular_elements)
        self.basis = Basis(self.mesh, ElementVector(ElementTriP2(), 5), intorder=4)
        basis = self.basis
        self.n_dofs = basis.N
        self.centre_dof = int(basis.nodal_dofs[2, 0])
        on_x_axis = basis.get_dofs(lambda x: np.isclose(x[1], 0.0)).all(["u^2", "u^5"])
        on_y_axis = basis.get_dofs(lambda x: np.isclose(x[0], 0.0)).all(["u^1", "u^4"])
        fixed = np.unique(np.concatenate([on_x_axis, on_y_axis]))
        self.free = np.setdiff1d(np.arange(self.n_dofs), fixed)
        self.fixed = fixed
        self.dx = basis.dx
        coords = np.asarray(basis.global_coordinates())
        self.quadrature_radius_nm = np.hypot(coords[0], coords[1])
        self.initial_history = np.where(self.quadrature_radius_nm < problem.debond_radius_nm,
                                        problem.law.failure_opening_nm, 0.0)

        # per local basis function: its component, value and gradient at the quadrature points
        n_local = len(basis.basis)
        values = np.array([np.asarray(f[0]) for f in basis.basis])  # (local, 5, el, q)
        grads = np.array([f[0].grad for f in basis.basis])  # (local, 5, 2, el, q)
        self._grad_w = grads[:, 2]  # (local, 2, el, q)
        h = problem.thickness_nm
        b = np.zeros(self.dx.shape + (11, n_local))
        move = lambda a: np.moveaxis(a, 0, -1)  # noqa: E731  (local, el, q) -> (el, q, local)
        b[..., 0, :] = move(grads[:, 0, 0])
        b[..., 1, :] = move(grads[:, 1, 1])
        b[..., 2, :] = move(grads[:, 0, 1] + grads[:, 1, 0])
        b[..., 3, :] = move(grads[:, 3, 0])
        b[..., 4, :] = move(grads[:, 4, 1])
        b[..., 5, :] = move(grads[:, 3, 1] + grads[:, 4, 0])
        b[..., 6, :] = move(grads[:, 2, 0] - values[:, 3])
        b[..., 7, :] = move(grads[:, 2, 1] - values[:, 4])
        b[..., 8, :] = move(values[:, 2])
        b[..., 9, :] = move(values[:, 0] + 0.5 * h * values[:, 3])
        b[..., 10, :] = move(values[:, 1] + 0.5 * h * values[:, 4])
        self._b = b
        self._membrane = _plane_stress(problem.membrane_stiffness_gpa_nm, problem.poisson_ratio)
        bending = _plane_stress(problem.bending_stiffness_gpa_nm3, problem.poisson_ratio)
        shear = problem.shear_stiffness_gpa_nm * np.eye(2)
        # bending and shear are linear: assemble them once
        self._bending_shear = _gram(b[..., _BENDING, :], bending, self.dx) + _gram(b[..., _SHEAR, :], shear, self.dx)
        self._bending, self._shear = bending, shear
        self._grad_w_el = np.moveaxis(self._grad_w, 0, -1).transpose(1, 2, 0, 3)  # (el, q, 2, local)
        dofs = basis.element_dofs  # (local, el)
        self._rows = np.broadcast_to(dofs.T[:, :, None], (dofs.shape[1], n_local, n_local)).ravel()
        self._cols = np.broadcast_to(dofs.T[:, None, :], (dofs.shape[1], n_local, n_local)).ravel()
        self._element_dofs = dofs

    def _fields(self, displacement: np.ndarray):
        local = displacement[self._element_dofs]  # (local, el)
        measures = np.matmul(self._b, local.T[:, None, :, None])[..., 0]
        grad_w = np.matmul(self._grad_w_el, local.T[:, None, :, None])[..., 0]  # (el, q, 2)
        return measures, grad_w

    def internal(self, displacement: np.ndarray, history: np.ndarray):
        p = self.problem
        measures, grad_w = self._fields(displacement)
        b = self._b.copy()
        membrane = measures[..., _MEMBRANE].copy()
        if p.geometric_nonlinearity:
            wx, wy = grad_w[..., 0], grad_w[..., 1]
            # ε += ∇w ⊗ ∇w / 2 (Voigt: w_x², w_y², 2 w_x w_y over 2)
            membrane += np.stack([0.5 * wx**2, 0.5 * wy**2, wx * wy], axis=-1)
            gx, gy = np.moveaxis(self._grad_w[:, 0], 0, -1), np.moveaxis(self._grad_w[:, 1], 0, -1)
            b[..., 0, :] += wx[..., None] * gx
            b[..., 1, :] += wy[..., None] * gy
            b[..., 2, :] += wx[..., None] * gy + wy[..., None] * gx
        stress = np.zeros(measures.shape)
        stress[..., _MEMBRANE] = membrane @ self._membrane
        stress[..., _BENDING] = measures[..., _BENDING] @ self._bending
        stress[..., _SHEAR] = measures[..., _SHEAR] @ self._shear
        slip = np.moveaxis(measures[..., _SLIP], -1, 0)
        t_n, t_s, c_coh, trial, _ = p.law.respond(measures[..., _OPEN], slip, history)
        stress[..., _OPEN] = t_n
        stress[..., _SLIP] = np.moveaxis(t_s, 0, -1)

        n_el, n_q, n_a, n_i = b.shape
        weighted_stress = (stress * self.dx[..., None]).reshape(n_el, n_q * n_a, 1)
        force_local = np.matmul(b.reshape(n_el, n_q * n_a, n_i).transpose(0, 2, 1), weighted_stress)[..., 0].T
        # membrane and interface tangents; the interface block is [δn, δs_x, δs_y]
        tangent = _gram(b[..., _MEMBRANE, :], self._membrane, self.dx)
        tangent += _gram(b[..., 8:11, :], np.moveaxis(c_coh, (0, 1), (-2, -1)), self.dx)
        tangent += self._bending_shear
        if p.geometric_nonlinearity:
            # N : (∇δw ⊗ ∇v_w) with N = [[N_xx, N_xy], [N_xy, N_yy]]
            n_xx, n_yy, n_xy = stress[..., 0], stress[..., 1], stress[..., 2]
            resultant = np.stack([np.stack([n_xx, n_xy], -1), np.stack([n_xy, n_yy], -1)], -2)
            tangent += _gram(self._grad_w_el, resultant, self.dx)
        force = np.zeros(self.n_dofs)
        np.add.at(force, self._element_dofs, force_local)
        force[self.fixed] = 0.0  # reactions of the symmetry conditions
        return force, tangent, trial

    def pressure_load(self, history: np.ndarray) -> np.ndarray:
        """∫ p v_w dA over the loaded area for p = 1: the nucleus, or the debonded area weighted by damage."""
        p = self.problem
        if p.pressure_follows_debond:
            loaded = p.law.damage(history)
        else:
            loaded = (self.quadrature_radius_nm < p.debond_radius_nm).astype(float)
        local = np.einsum("eq,eq,eqi->ie", loaded, self.dx, self._b[..., _OPEN, :])
        load = np.zeros(self.n_dofs)
        np.add.at(load, self._element_dofs, local)
        return load

    def factorize(self, tangent: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        matrix = coo_matrix((tangent.ravel(), (self._rows, self._cols)), shape=(self.n_dofs, self.n_dofs)).tocsc()
        lu = splu(matrix[self.free][:, self.free].tocsc())

        def solve(rhs: np.ndarray) -> np.ndarray:
            out = np.zeros(np.shape(rhs))
            out[self.free] = lu.solve(np.asarray(rhs, dtype=float)[self.free])
            return out

        return solve

    def dissipation(self, displacement: np.ndarray, history: np.ndarray) -> tuple[float, np.ndarray]:
        """Energy the interface dissipates beyond ``history`` (∫ ΔD dA on the quarter disk) and its gradient by the dofs."""
        law = self.problem.law
        measures, _ = self._fields(displacement)
        opening, slip = np.maximum(measures[..., _OPEN], 0.0), measures[..., _SLIP]
        equivalent = np.sqrt(opening**2 + np.sum(slip**2, axis=-1))
        peak = np.maximum(history, equivalent)
        value = float(np.sum(self.dx * (law.dissipated_energy(peak) - law.dissipated_energy(history))))
        loading = equivalent >= history
        rate = np.where(loading, law.dissipation_rate(equivalent), 0.0) * self.dx / np.where(equivalent > 0.0, equivalent, 1.0)
        # ∂λ/∂q = (<δn> ∂δn/∂q + δs · ∂δs/∂q) / λ
        b = self._b
        direction = opening[..., None] * b[..., _OPEN, :] + np.einsum("eqa,eqai->eqi", slip, b[..., _SLIP, :])
        gradient = np.zeros(self.n_dofs)
        np.add.at(gradient, self._element_dofs, np.einsum("eq,eqi->ie", rate, direction))
        gradient[self.fixed] = 0.0
        return value, gradient

    def interface_state(self, displacement: np.ndarray) -> dict[str, np.ndarray]:
        """Opening and equivalent opening at the vertices on the x axis, by radius."""
        on_axis = np.flatnonzero(np.isclose(self.mesh.p[1], 0.0))
        on_axis = on_axis[np.argsort(self.mesh.p[0, on_axis])]
        ux, w, bx = (displacement[self.basis.nodal_dofs[k, on_axis]] for k in (0, 2, 3))
        slip = ux + 0.5 * self.problem.thickness_nm * bx
        return {"radius_nm": self.mesh.p[0, on_axis], "opening_nm": w,
                "equivalent_nm": np.sqrt(np.maximum(w, 0.0) ** 2 + slip**2)}
