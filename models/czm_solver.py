"""Path following to mechanical equilibrium for a pressurized film on a cohesive interface.

Both discretizations (``czm_reduced``, ``czm_fem``) hand this module the same few operations, so
one Newton loop serves both. The load is a pressure λ times a unit load vector f; λ is an unknown
beside the displacements U, and a control c(U) = t closes the system (an arc-length method):

- ``AxisOpening``: c is the opening at the axis w0 (displacement control). It passes pressure
  peaks, so it finds the equilibrium at a target pressure beyond any snap-through on the way
  (``follow_path``), but not snap-backs, where w0 turns back too.
- ``Dissipation``: c is the energy the interface has dissipated, which only grows; it passes
  snap-backs (a membrane blister's debond peak is one). ``follow_to_peak`` switches to it at the
  first dissipating step and locates the pressure peak, a blister's critical state.

Equilibrium means ‖f_int(U) − λ f‖ ≤ tolerance · ‖λ f‖ (``NewtonOptions.tolerance``, 1e-9) with the
control met to ``CONSTRAINT_TOLERANCE`` of its step; a path that fails says why (``Path.reason``,
``Peak.reason``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.optimize import minimize_scalar

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

    def dissipation(self, displacement: np.ndarray, history: np.ndarray) -> tuple[float, np.ndarray]:
        """Energy the interface dissipates beyond ``history`` at these displacements, and its gradient."""


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
    # why the path did not converge; empty when it did
    reason: str = ""


@dataclass(frozen=True)
class NewtonOptions:
    # equilibrium: ‖f_int − λ f‖ ≤ tolerance · ‖λ f‖ at every state of the path
    tolerance: float = 1e-9
    max_iterations: int = 30
    max_steps: int = 400
    max_cuts: int = 8
    # the pressure peak is located to within peak_tolerance of the step that passed it (in its control)
    peak_tolerance: float = 1e-3


# a prescribed control value is met to this fraction of the step towards it
CONSTRAINT_TOLERANCE = 1e-9


class AxisOpening:
    """Control by the opening at the axis w0 (pressure the unknown): passes pressure peaks, not snap-backs in w0."""

    def __init__(self, model: Discretization) -> None:
        self.dof, self.n_dofs = model.centre_dof, model.n_dofs

    def __call__(self, displacement: np.ndarray) -> tuple[float, np.ndarray]:
        gradient = np.zeros(self.n_dofs)
        gradient[self.dof] = 1.0
        return float(displacement[self.dof]), gradient


class Dissipation:
    """Control by the energy the interface dissipates beyond ``history`` (dissipation-based arc length).

    After Gutiérrez (2004) and Verhoosel, Remmers & Gutiérrez (2009), here with the dissipation taken
    from the cohesive law itself, so it holds with geometric nonlinearity: it never decreases, so
    the path passes snap-backs, where both the pressure and the axis opening turn back.
    """

    def __init__(self, model: Discretization, history: np.ndarray) -> None:
        self.model, self.history = model, history

    def __call__(self, displacement: np.ndarray) -> tuple[float, np.ndarray]:
        return self.model.dissipation(displacement, self.history)


def _newton(model: Discretization, start: Equilibrium, opts: NewtonOptions, *, control=None, target: float | None = None,
            pressure_gpa: float | None = None) -> tuple[Equilibrium | None, int]:
    """Newton iterations from ``start`` to equilibrium with either ``control(U) = target`` or the pressure prescribed.

    The interface history is ``start``'s: the returned state carries the updated one.
    """
    u = start.displacement.copy()
    lam = start.pressure_gpa if pressure_gpa is None else pressure_gpa
    # the constraint is met to CONSTRAINT_TOLERANCE of the larger of the target and the distance to it
    reference = 0.0 if control is None else max(abs(target), abs(target - control(u)[0]))
    for iteration in range(1, opts.max_iterations + 1):
        f_int, tangent, trial = model.internal(u, start.history)
        f_unit = model.pressure_load(trial)
        # R(U, λ) = f_int(U) − λ f
        residual = f_int - lam * f_unit
        scale = np.linalg.norm(f_unit) * max(abs(lam), 1e-12)
        value, gradient = control(u) if control is not None else (0.0, None)
        constraint_ok = control is None or abs(value - target) <= CONSTRAINT_TOLERANCE * reference
        if iteration > 1 and constraint_ok and np.linalg.norm(residual) <= opts.tolerance * scale:
            return Equilibrium(u, lam, trial), iteration - 1
        solve = model.factorize(tangent)
        with np.errstate(divide="ignore", invalid="ignore"):
            if control is None:
                du = solve(-residual)
            else:
                # K ΔU − f Δλ = −R with g·ΔU = t − c(U): ΔU = a + Δλ b, a = K⁻¹(−R), b = K⁻¹ f
                a, b = solve(np.column_stack([-residual, f_unit])).T
                dlam = (target - value - gradient @ a) / (gradient @ b)
                du = a + dlam * b
                lam += dlam
        if not (np.all(np.isfinite(du)) and math.isfinite(lam)):
            return None, iteration
        u += du
    return None, opts.max_iterations


def follow_path(model: Discretization, first_step_nm: float, *, target_pressure_gpa: float,
                opts: NewtonOptions = NewtonOptions(), max_step_nm: float = math.inf) -> Path:
    """Raise the axis opening step by step from the unloaded state until the pressure reaches the target.

    The path stops where the pressure first reaches the target and finishes with pressure control
    at exactly the target. A pressure peak below the target is passed: under pressure control the
    debond would jump there to the next stable state, which the path reaches when the pressure
    rises again; it is not converged when the debond instead runs out of the modelled zone.
    """
    states = [Equilibrium(np.zeros(model.n_dofs), 0.0, model.initial_history.copy())]
    step = first_step_nm
    iterations = 0
    axis = AxisOpening(model)
    for _ in range(opts.max_steps):
        current = states[-1]
        trial, used = _newton(model, current, opts, control=axis, target=current.displacement[model.centre_dof] + step)
        iterations += used
        if trial is None:
            step *= 0.5
            if step < first_step_nm * 0.5**opts.max_cuts:
                return Path(states, iterations, False, _stalled("axis-opening", opts, current, model.centre_dof))
            continue
        states.append(trial)
        if trial.pressure_gpa >= target_pressure_gpa:
            return _finish_at_pressure(model, states, target_pressure_gpa, iterations, opts)
        if _debond_left_zone(model, trial.history):
            return Path(states, iterations, False, _RUNAWAY.format(p=trial.pressure_gpa * 1e3))
        # few iterations: lengthen the step; many: shorten it
        step = min(step * (1.5 if used <= 4 else (0.5 if used > 10 else 1.0)), max_step_nm)
    return Path(states, iterations, False, f"target pressure not reached in {opts.max_steps} steps")


_RUNAWAY = "the debond ran out of the finely meshed zone at {p:.4g} MPa: the bond cannot hold this pressure"


def _stalled(control: str, opts: NewtonOptions, state: Equilibrium, centre_dof: int) -> str:
    return (f"no equilibrium within {opts.max_iterations} Newton iterations after {opts.max_cuts} cuts of the {control} "
            f"step, at p = {state.pressure_gpa * 1e3:.4g} MPa, w0 = {state.displacement[centre_dof]:.4g} nm")


def _debond_left_zone(model: Discretization, history: np.ndarray) -> bool:
    """The fully debonded zone reached the end of the finely meshed zone: the debond runs away."""
    problem = model.problem
    outside = model.quadrature_radius_nm > problem.fine_end_nm
    return bool(np.any(history[outside] >= problem.law.failure_opening_nm))


@dataclass(frozen=True)
class Peak:
    """The pressure peak of a path (the critical state of a blister), or why it was not reached."""

    pressure_gpa: float
    axis_opening_nm: float
    iterations: int
    converged: bool
    reason: str = ""


class _NoEquilibrium(Exception):
    pass


def follow_to_peak(model: Discretization, first_step_nm: float, opts: NewtonOptions = NewtonOptions()) -> Peak:
    """Load from the unloaded state until the pressure falls, and locate the peak between the last states.

    Axis-opening control while the interface is elastic; from the first dissipating step on, control
    by the dissipated energy (``Dissipation``), which passes snap-backs. Steps adapt to the Newton
    iteration count (``first_step_nm`` sets the first axis-opening step, the first dissipating step
    sets the dissipation steps). The peak is then found by Brent's method on the pressure along the
    last two steps' control, every trial an equilibrium restarted from the state two steps back:
    the peak pressure is that of an equilibrium state, not an interpolation, and does not depend on
    the steps taken to reach it beyond ``opts.peak_tolerance`` (relative, in the control).
    """
    c = model.centre_dof
    state = Equilibrium(np.zeros(model.n_dofs), 0.0, model.initial_history.copy())
    previous, step, dissipating, iterations = state, first_step_nm, False, 0
    smallest = first_step_nm * 0.5**opts.max_cuts
    for _ in range(opts.max_steps):
        control = Dissipation(model, state.history) if dissipating else AxisOpening(model)
        base = 0.0 if dissipating else state.displacement[c]
        trial, used = _newton(model, state, opts, control=control, target=base + step)
        iterations += used
        if trial is None:
            step *= 0.5
            if step < smallest:
                return Peak(state.pressure_gpa, state.displacement[c], iterations, False,
                            _stalled("dissipation" if dissipating else "axis-opening", opts, state, c))
            continue
        if trial.pressure_gpa < state.pressure_gpa:
            return _locate_peak(model, (previous, state, trial), dissipating, opts, iterations)
        if _debond_left_zone(model, trial.history):
            return Peak(trial.pressure_gpa, trial.displacement[c], iterations, False,
                        _RUNAWAY.format(p=trial.pressure_gpa * 1e3) + " before its pressure peaked")
        factor = 1.5 if used <= 4 else (0.5 if used > 10 else 1.0)
        previous, state, step = state, trial, step * factor
        if not dissipating and (dissipated := model.dissipation(trial.displacement, previous.history)[0]) > 0.0:
            # from here on the dissipated energy controls the path, its first step this step's; a peak is
            # searched for from this state on, where the dissipation has a direction to follow
            dissipating, step, smallest, previous = True, dissipated, dissipated * 0.5**opts.max_cuts, trial
    return Peak(state.pressure_gpa, state.displacement[c], iterations, False,
                f"no pressure peak within {opts.max_steps} steps")


def _locate_peak(model: Discretization, states: tuple[Equilibrium, Equilibrium, Equilibrium], dissipating: bool,
                 opts: NewtonOptions, iterations: int) -> Peak:
    """Brent's maximization of the pressure over the control t, from the anchor (t = 0) past the highest state.

    Every trial restarts from the anchor's interface history, with the nearest state found as first guess.
    """
    anchor, highest, after = states
    control = Dissipation(model, anchor.history) if dissipating else AxisOpening(model)
    base = control(anchor.displacement)[0]
    found = {control(s.displacement)[0] - base: s for s in states}

    def negative_pressure(t: float) -> float:
        nonlocal iterations
        if t in found:
            return -found[t].pressure_gpa
        nearest = found[min(found, key=lambda known: abs(known - t))]
        guess = Equilibrium(nearest.displacement, nearest.pressure_gpa, anchor.history)
        state, used = _newton(model, guess, opts, control=control, target=base + t)
        iterations += used
        if state is None:
            raise _NoEquilibrium(t)
        found[t] = state
        return -state.pressure_gpa

    t_high, t_after = control(highest.displacement)[0] - base, control(after.displacement)[0] - base
    try:
        if highest is anchor:
            minimize_scalar(negative_pressure, bounds=(0.0, t_after), method="bounded",
                            options={"xatol": opts.peak_tolerance * t_after})
        else:
            minimize_scalar(negative_pressure, bracket=(0.0, t_high, t_after), method="brent",
                            options={"xtol": opts.peak_tolerance})
    except _NoEquilibrium as failed:
        return Peak(highest.pressure_gpa, highest.displacement[model.centre_dof], iterations, False,
                    f"no equilibrium at control {failed.args[0]:.4g} while locating the pressure peak")
    best = max(found.values(), key=lambda s: s.pressure_gpa)
    return Peak(best.pressure_gpa, float(best.displacement[model.centre_dof]), iterations, True)


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
        trial, used = _newton(model, before, opts, control=AxisOpening(model), target=opening)
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
    return Path(states[:-1] + [best], iterations, False,
                f"no equilibrium at exactly the target pressure: the closest found is {best.pressure_gpa * 1e3:.6g} MPa")


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
