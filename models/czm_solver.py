"""Path following to mechanical equilibrium for a pressurized film on a cohesive interface.

Both discretizations (``czm_reduced``, ``czm_fem``) hand this module the same few operations, so
one Newton loop serves both. The load is a pressure λ times a unit load vector f. The path is
followed by prescribing the opening at the axis s and solving for (U, λ) together (a
displacement-controlled, arc-length-like constraint), so it passes pressure peaks where pressure
control would fail: the same loop finds the equilibrium at a target pressure (beyond any
snap-through on the way) and a blister's peak pressure (its critical state).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .czm_law import CohesiveLaw


class Discretization(Protocol):
    problem: "PlateProblem"
    n_dofs: int
    centre_dof: int
    initial_history: np.ndarray
    quadrature_radius_nm: np.ndarray

    def internal(self, displacement: np.ndarray, history: np.ndarray) -> tuple[np.ndarray, object, np.ndarray]:
        """Internal force, tangent (opaque) and the trial history of peak openings."""

    def pressure_load(self, history: np.ndarray) -> np.ndarray:
        """Load vector of a unit pressure on the debonded area."""

    def factorize(self, tangent: object) -> Callable[[np.ndarray], np.ndarray]:
        """A solver for the tangent with boundary conditions applied; takes (n,) or (n, k) right-hand sides."""


@dataclass(frozen=True)
class Equilibrium:
    """A converged point of the path: displacements, pressure (GPa) and the interface history."""

    displacement: np.ndarray
    pressure_gpa: float
    history: np.ndarray


@dataclass(frozen=True)
class Path:
    states: list[Equilibrium]
    iterations: int
    converged: bool


@dataclass(frozen=True)
class NewtonOptions:
    tolerance: float = 1e-9
    max_iterations: int = 30
    max_steps: int = 400
    max_cuts: int = 8


def _newton(model: Discretization, start: Equilibrium, opts: NewtonOptions, *, axis_opening_nm: float | None = None,
            pressure_gpa: float | None = None) -> tuple[Equilibrium | None, int]:
    """Newton iterations from ``start`` to equilibrium with either the axis opening or the pressure prescribed."""
    u = start.displacement.copy()
    lam = start.pressure_gpa if pressure_gpa is None else pressure_gpa
    c = model.centre_dof
    for iteration in range(1, opts.max_iterations + 1):
        f_int, tangent, trial = model.internal(u, start.history)
        f_unit = model.pressure_load(trial)
        # R(U, λ) = f_int(U) − λ f
        residual = f_int - lam * f_unit
        scale = np.linalg.norm(f_unit) * max(abs(lam), 1e-12)
        constraint_ok = axis_opening_nm is None or abs(u[c] - axis_opening_nm) <= 1e-12 * max(abs(axis_opening_nm), 1e-12)
        if iteration > 1 and constraint_ok and np.linalg.norm(residual) <= opts.tolerance * scale:
            return Equilibrium(u, lam, trial), iteration - 1
        solve = model.factorize(tangent)
        if axis_opening_nm is None:
            du = solve(-residual)
        else:
            # K ΔU − f Δλ = −R with ΔU_c = s − U_c: ΔU = a + Δλ b, a = K⁻¹(−R), b = K⁻¹ f
            a, b = solve(np.column_stack([-residual, f_unit])).T
            dlam = (axis_opening_nm - u[c] - a[c]) / b[c]
            du = a + dlam * b
            lam += dlam
        if not np.all(np.isfinite(du)):
            return None, iteration
        u += du
    return None, opts.max_iterations


def follow_path(model: Discretization, first_step_nm: float, *, target_pressure_gpa: float | None = None,
                opts: NewtonOptions = NewtonOptions(), max_step_nm: float = math.inf) -> Path:
    """Raise the axis opening step by step from the unloaded state.

    With ``target_pressure_gpa``: stop where the pressure first reaches the target and finish with
    pressure control at exactly the target. A pressure peak below the target is passed: under
    pressure control the debond would jump there to the next stable state, which the path reaches
    when the pressure rises again; it is not converged when the debond instead runs out of the
    modelled zone. Without a target: stop just past the first pressure peak (converged when one
    was found); ``peak`` then interpolates it.
    """
    states = [Equilibrium(np.zeros(model.n_dofs), 0.0, model.initial_history.copy())]
    step = first_step_nm
    iterations = 0
    for _ in range(opts.max_steps):
        current = states[-1]
        trial, used = _newton(model, current, opts, axis_opening_nm=current.displacement[model.centre_dof] + step)
        iterations += used
        if trial is None:
            step *= 0.5
            if step < first_step_nm * 0.5**opts.max_cuts:
                return Path(states, iterations, False)
            continue
        states.append(trial)
        if target_pressure_gpa is not None and trial.pressure_gpa >= target_pressure_gpa:
            return _finish_at_pressure(model, states, target_pressure_gpa, iterations, opts)
        if target_pressure_gpa is None and trial.pressure_gpa < current.pressure_gpa:
            return Path(states, iterations, True)
        if _debond_left_zone(model, trial.history):
            return Path(states, iterations, False)
        # few iterations: lengthen the step; many: shorten it
        step = min(step * (1.5 if used <= 4 else (0.5 if used > 10 else 1.0)), max_step_nm)
    return Path(states, iterations, False)


def _debond_left_zone(model: Discretization, history: np.ndarray) -> bool:
    """The fully debonded zone reached the end of the finely meshed zone: the debond runs away."""
    problem = model.problem
    outside = model.quadrature_radius_nm > problem.fine_end_nm
    return bool(np.any(history[outside] >= problem.law.failure_opening_nm))


def peak(path: Path, centre_dof: int) -> tuple[float, float]:
    """Pressure (GPa) and axis opening (nm) at the pressure peak: the vertex of a parabola through the top three states."""
    pressures = np.array([state.pressure_gpa for state in path.states])
    openings = np.array([state.displacement[centre_dof] for state in path.states])
    i = int(np.clip(np.argmax(pressures), 1, len(pressures) - 2))
    # λ(s) = c2 s² + c1 s + c0 through the three states around the largest pressure
    c2, c1, c0 = np.polyfit(openings[i - 1:i + 2], pressures[i - 1:i + 2], 2)
    if c2 >= 0.0:
        return float(pressures[i]), float(openings[i])
    vertex = -c1 / (2.0 * c2)
    return float(np.polyval([c2, c1, c0], vertex)), float(vertex)


def _finish_at_pressure(model: Discretization, states: list[Equilibrium], target_gpa: float, iterations: int,
                        opts: NewtonOptions) -> Path:
    """The state between the last two where the pressure equals the target.

    Pressure-controlled Newton from the interpolated state; where the pressure is nearly stationary
    and that fails, Illinois regula falsi on the axis opening. Each trial restarts from the last state below the target, with its history, under axis control:
    robust where the pressure is nearly stationary and pressure control would fail.
    """
    before, after = states[-2], states[-1]
    # usually the state interpolated at the target converges at once under pressure control
    t = (target_gpa - before.pressure_gpa) / (after.pressure_gpa - before.pressure_gpa)
    guess = Equilibrium(before.displacement + t * (after.displacement - before.displacement), target_gpa, before.history)
    final, used = _newton(model, guess, opts, pressure_gpa=target_gpa)
    iterations += used
    if final is not None:
        return Path(states[:-1] + [final], iterations, True)
    c = model.centre_dof
    low, high = (before.displacement[c], before.pressure_gpa), (states[-1].displacement[c], states[-1].pressure_gpa)
    best, side = states[-1], 0
    for _ in range(opts.max_iterations):
        if abs(best.pressure_gpa / target_gpa - 1.0) <= 1e-6:
            return Path(states[:-1] + [best], iterations, True)
        (s0, p0), (s1, p1) = low, high
        opening = s0 + (target_gpa - p0) * (s1 - s0) / (p1 - p0)
        trial, used = _newton(model, before, opts, axis_opening_nm=opening)
        iterations += used
        if trial is None:
            break
        best = trial
        if trial.pressure_gpa < target_gpa:
            low = (opening, trial.pressure_gpa)
            # Illinois: halve the retained end's excess when the same end is kept twice
            high, side = ((high[0], target_gpa + 0.5 * (high[1] - target_gpa)) if side == -1 else high), -1
        else:
            high = (opening, trial.pressure_gpa)
            low, side = ((low[0], target_gpa + 0.5 * (low[1] - target_gpa)) if side == 1 else low), 1
    return Path(states[:-1] + [best], iterations, False)


# Reissner–Mindlin shear correction factor of a homogeneous plate.
SHEAR_CORRECTION = 5.0 / 6.0


@dataclass(frozen=True)
class PlateProblem:
    """What both discretizations solve: a Reissner–Mindlin film (von Kármán strains) on a cohesive interface.

    The film is debonded for r < ``debond_radius_nm`` and bonded beyond by ``law``; pressure acts on
    r < ``debond_radius_nm`` (a dendrite nucleus) or, with ``pressure_follows_debond``, on the whole
    debonded area as it grows (a blister). The metal is rigid: all interface compliance is the law's.
    Element size ``fine_step_nm`` over [debond radius, ``fine_end_nm``], coarser out to ``outer_radius_nm``.
    """

    thickness_nm: float
    modulus_gpa: float
    poisson_ratio: float
    law: CohesiveLaw
    debond_radius_nm: float
    fine_end_nm: float
    outer_radius_nm: float
    fine_step_nm: float
    pressure_follows_debond: bool = False
    geometric_nonlinearity: bool = True

    @property
    def membrane_stiffness_gpa_nm(self) -> float:
        # A = E h / (1 − ν²)
        return self.modulus_gpa * self.thickness_nm / (1.0 - self.poisson_ratio**2)

    @property
    def bending_stiffness_gpa_nm3(self) -> float:
        # D = E h³ / (12 (1 − ν²))
        return self.modulus_gpa * self.thickness_nm**3 / (12.0 * (1.0 - self.poisson_ratio**2))

    @property
    def shear_stiffness_gpa_nm(self) -> float:
        # S = k G h, G = E / (2 (1 + ν))
        return SHEAR_CORRECTION * self.modulus_gpa / (2.0 * (1.0 + self.poisson_ratio)) * self.thickness_nm
