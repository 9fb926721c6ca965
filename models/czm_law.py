"""The bilinear traction–separation law of the film/metal interface (Camanho & Dávila, NASA/TM-2002-211737).

Units: openings in nm, tractions in GPa, energies per area in GPa·nm = J m⁻².

Mixed mode with mode-independent toughness (G_IIc = G_Ic, so the Benzeggagh–Kenane criterion
reduces to one δ0 and one δf; assumption: no mode-II data for Al2O3/alucone on Li or Na). The
equivalent opening is λ = sqrt(<δn>² + δs²); compression is penalty contact that never damages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import SimulationInputError, require_positive


@dataclass(frozen=True)
class CohesiveLaw:
    """Penalty stiffness K (GPa/nm), strength σmax (GPa) and toughness Gc (GPa·nm = J m⁻²)."""

    stiffness_gpa_nm: float
    strength_gpa: float
    fracture_energy_gpa_nm: float

    def __post_init__(self) -> None:
        for name in ("stiffness_gpa_nm", "strength_gpa", "fracture_energy_gpa_nm"):
            require_positive(name, getattr(self, name), SimulationInputError)
        if self.onset_opening_nm >= self.failure_opening_nm:
            raise SimulationInputError(
                f"penalty stiffness {self.stiffness_gpa_nm:.3g} GPa/nm too soft for the bilinear law: "
                f"δ0 = σmax/K must stay below δf = 2Gc/σmax")

    @property
    def onset_opening_nm(self) -> float:
        # δ0 = σmax / K
        return self.strength_gpa / self.stiffness_gpa_nm

    @property
    def failure_opening_nm(self) -> float:
        # δf = 2 Gc / σmax
        return 2.0 * self.fracture_energy_gpa_nm / self.strength_gpa

    def damage(self, peak_opening_nm: np.ndarray) -> np.ndarray:
        """d = δf (λmax − δ0) / (λmax (δf − δ0)), clipped to [0, 1]."""
        d0, df = self.onset_opening_nm, self.failure_opening_nm
        peak = np.maximum(peak_opening_nm, d0)
        return np.clip(df * (peak - d0) / (peak * (df - d0)), 0.0, 1.0)

    def respond(self, normal_nm: np.ndarray, slip_nm: np.ndarray, peak_opening_nm: np.ndarray):
        """Tractions, consistent tangent and updated peak opening at interface points.

        ``slip_nm`` has shape (k, ...) for k slip components (1 axisymmetric, 2 in the plane).
        Returns (normal traction, slip tractions, tangent of shape (1+k, 1+k, ...), new peak opening, damage).
        """
        k_pen = self.stiffness_gpa_nm
        d0, df = self.onset_opening_nm, self.failure_opening_nm
        opening = np.maximum(normal_nm, 0.0)
        # λ = sqrt(<δn>² + |δs|²)
        equivalent = np.sqrt(opening**2 + np.sum(slip_nm**2, axis=0))
        peak = np.maximum(peak_opening_nm, equivalent)
        damage = self.damage(peak)
        # softening branch: the damage grows with this very opening (loading beyond δ0, before δf)
        softening = (equivalent >= peak_opening_nm) & (equivalent > d0) & (equivalent < df)
        secant = (1.0 - damage) * k_pen
        # compression: undamaged penalty contact, T_n = K δn
        normal_stiffness = np.where(normal_nm < 0.0, k_pen, secant)
        normal_traction = normal_stiffness * normal_nm
        slip_traction = secant * slip_nm

        components = np.concatenate([opening[None], slip_nm], axis=0)
        n = components.shape[0]
        tangent = np.zeros((n, n) + equivalent.shape)
        tangent[0, 0] = normal_stiffness
        for i in range(1, n):
            tangent[i, i] = secant
        # ∂T/∂δ on the softening branch: (1−d)K I − K δ ⊗ (∂d/∂λ ∂λ/∂δ), ∂d/∂λ = δf δ0 / (λ² (δf − δ0))
        safe = np.where(softening, equivalent, 1.0)
        rate = np.where(softening, k_pen * df * d0 / (safe**3 * (df - d0)), 0.0)
        for i in range(n):
            for j in range(n):
                tangent[i, j] -= rate * components[i] * components[j]
        return normal_traction, slip_traction, tangent, peak, damage

    def dissipated_energy(self, peak_opening_nm: np.ndarray) -> np.ndarray:
        """Energy per area dissipated at a point of peak opening λmax: the work of separation less the recoverable part.

        W(λ) − T(λ) λ / 2 on the softening branch simplifies to Gc (λ − δ0)/(δf − δ0): zero up to δ0,
        linear in λmax, Gc at failure. It only grows, whichever way the film moves: the monotone
        quantity the path follows through snap-backs (``czm_solver``).
        """
        d0, df = self.onset_opening_nm, self.failure_opening_nm
        return self.fracture_energy_gpa_nm * np.clip((np.asarray(peak_opening_nm, dtype=float) - d0) / (df - d0), 0.0, 1.0)

    def dissipation_rate(self, peak_opening_nm: np.ndarray) -> np.ndarray:
        """dD/dλmax: Gc/(δf − δ0) on the softening branch (δ0 < λ < δf), zero elsewhere."""
        d0, df = self.onset_opening_nm, self.failure_opening_nm
        lam = np.asarray(peak_opening_nm, dtype=float)
        return np.where((lam > d0) & (lam < df), self.fracture_energy_gpa_nm / (df - d0), 0.0)

    def separation_work(self, peak_opening_nm: np.ndarray) -> np.ndarray:
        """Work of separation per area done on a point opened monotonically to λ: the J-integral at a cohesive tip."""
        d0, df, s = self.onset_opening_nm, self.failure_opening_nm, self.strength_gpa
        lam = np.asarray(peak_opening_nm, dtype=float)
        # elastic: K λ²/2; softening: Gc − (δf − λ) T(λ)/2 with T(λ) = σmax (δf − λ)/(δf − δ0)
        elastic = 0.5 * self.stiffness_gpa_nm * lam**2
        softening = self.fracture_energy_gpa_nm - 0.5 * s * (df - lam) ** 2 / (df - d0)
        return np.where(lam <= d0, elastic, np.where(lam < df, softening, self.fracture_energy_gpa_nm))
