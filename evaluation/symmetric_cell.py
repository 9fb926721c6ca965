"""Simulated symmetric Li|Li and Na|Na plating/stripping cells: tester traces with a known short, for the trace
analysis's tests and ``bench.cycler_ingest``.

The cell voltage is the sum of two Butler-Volmer electrode overpotentials (alpha = 0.5, so each electrode's
eta = (2RT/F) asinh(j / 2 j0)) and the ohmic drop over the SEI and electrolyte, j R_area, with the sign of the
current. Exchange current densities of Li and Na in liquid carbonate/ether electrolytes are 0.3-3 mA cm-2 and
interphase area resistances 5-50 ohm cm2 (Boyle et al., ACS Energy Lett. 2020, 5, 701; Seh et al., ACS Cent.
Sci. 2015, 1, 449): cell overpotentials of 20-300 mV at 0.5-5 mA cm-2, as reported. Plating starts with a
nucleation peak (x1.3 decaying over the first 5 % of the step); the overpotential rises 0.5 % per cycle (SEI
growth). A soft short lowers |V| to 15-45 % of the intact value with intermittent fluctuation; a hard short
makes the cell a 0.1-1 ohm resistor (V = I R). The truth is the short's time and the noiseless plateau.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interlayer.models.electrochem import thermal_voltage_v


@dataclass(frozen=True)
class SymmetricCell:
    metal: str
    current_density_ma_cm2: float
    capacity_mah_cm2: float
    area_cm2: float = 1.13  # a 12 mm disc
    cycles: int = 40
    exchange_current_ma_cm2: float = 1.0
    area_resistance_ohm_cm2: float = 20.0
    rest_s: float = 0.0
    samples_per_step: int = 120
    noise_fraction: float = 0.03
    short_kind: str | None = None  # "soft" or "hard"
    short_cycle: float = 0.0  # cycles (with fraction) after which the short happens
    short_level: float = 0.3  # soft: |V| falls to this fraction; hard: the short's resistance in ohm
    dip_cycle: int | None = None  # a one-cycle drop that recovers (not a short)
    dip_level: float = 0.5
    missing_half_cycle: int | None = None
    restart_cycle: int | None = None
    current_change_cycle: int | None = None
    current_change_factor: float = 2.0


def plateau_v(cell: SymmetricCell, density_ma_cm2: float) -> float:
    """Noiseless plateau |V| of the intact cell at a current density: 2 (2RT/F) asinh(j / 2 j0) + j R_area."""
    electrode_v = 2.0 * thermal_voltage_v() * np.arcsinh(density_ma_cm2 / (2.0 * cell.exchange_current_ma_cm2))
    return float(2.0 * electrode_v + 1e-3 * density_ma_cm2 * cell.area_resistance_ohm_cm2)


def _step(cell: SymmetricCell, step: int, t0_s: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """One half-cycle (and its rest): time, current, voltage."""
    cycle = step / 2.0
    changed = cell.current_change_cycle is not None and cycle >= cell.current_change_cycle
    density = cell.current_density_ma_cm2 * (cell.current_change_factor if changed else 1.0)
    amps = 1e-3 * density * cell.area_cm2 * (1 if step % 2 == 0 else -1)
    duration_s = 3600.0 * cell.capacity_mah_cm2 / cell.current_density_ma_cm2
    n = cell.samples_per_step
    fraction = np.arange(n) / (n - 1)
    t = t0_s + duration_s * fraction
    eta = plateau_v(cell, density) * (1.0 + 0.005 * cycle) * (1.0 + 0.3 * np.exp(-fraction / 0.05 * 3))
    if cell.dip_cycle is not None and int(cycle) == cell.dip_cycle:
        eta = eta * cell.dip_level
    shorted = (cycle + fraction / 2.0) >= cell.short_cycle if cell.short_kind else np.zeros(n, bool)
    if cell.short_kind == "soft":
        eta = np.where(shorted, eta * cell.short_level * rng.uniform(0.8, 1.3, n), eta)
    elif cell.short_kind == "hard":
        eta = np.where(shorted, abs(amps) * cell.short_level, eta)
    volts = np.sign(amps) * eta * (1.0 + cell.noise_fraction * rng.standard_normal(n)) + 2e-4 * rng.standard_normal(n)
    current = amps * (1.0 + 0.005 * rng.standard_normal(n))
    if cell.rest_s > 0:
        rest_t = t[-1] + np.linspace(cell.rest_s / 10, cell.rest_s, 10)
        t = np.concatenate((t, rest_t))
        current = np.concatenate((current, 1e-7 * rng.standard_normal(10)))
        volts = np.concatenate((volts, 0.2 * volts[-1] * np.ones(10)))  # relaxes toward 0 V at rest
    return t, current, volts


def generate(cell: SymmetricCell, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """The trace (time_s, current_a, voltage_v) and its truth: short time (h) and kind, the cycle period (h),
    and the plateau overpotential (mV) the analysis should report."""
    duration_s = 3600.0 * cell.capacity_mah_cm2 / cell.current_density_ma_cm2
    half_s = duration_s + cell.rest_s + duration_s / (cell.samples_per_step - 1)
    pieces, offset_s = [], 0.0
    for step in range(2 * cell.cycles):
        if cell.restart_cycle is not None and step == 2 * cell.restart_cycle:
            offset_s = -step * half_s  # the tester's clock starts again at zero
        if step == cell.missing_half_cycle:
            continue
        pieces.append(_step(cell, step, step * half_s + offset_s, rng))
    time_s, current_a, voltage_v = (np.concatenate(parts) for parts in zip(*pieces))
    last = cell.short_cycle if cell.short_kind else cell.cycles
    before = [c for c in range(cell.cycles) if c + 1 <= last and (cell.current_change_cycle is None or c < cell.current_change_cycle)
              and c != cell.dip_cycle]
    eta_mv = 1e3 * plateau_v(cell, cell.current_density_ma_cm2) * float(np.median([1.0 + 0.005 * (c + 0.25) for c in before]))
    truth = {"short_kind": cell.short_kind, "short_h": 2 * cell.short_cycle * half_s / 3600.0 if cell.short_kind else None,
             "cycle_h": 2 * half_s / 3600.0, "overpotential_mv": eta_mv, "duration_h": 2 * cell.cycles * half_s / 3600.0}
    return time_s, current_a, voltage_v, truth


def random_cell(rng: np.random.Generator, metal: str, short_kind: str | None, cycles: int = 40) -> SymmetricCell:
    """A cell drawn over the bench's ranges: 0.5-5 mA cm-2, 0.5-3 mAh cm-2, noise 0.5-8 %, rests, and (each in about
    one cell in six) a missing half-cycle, a restarted clock, a current halved or doubled; a recovering dip in a
    third of the intact cells."""
    def maybe(p: float, low: int, high: int) -> int | None:
        return int(rng.integers(low, high)) if rng.random() < p else None
    short_cycle = float(rng.uniform(8, cycles - 8)) if short_kind else 0.0
    return SymmetricCell(
        metal=metal, current_density_ma_cm2=float(rng.uniform(0.5, 5.0)), capacity_mah_cm2=float(rng.uniform(0.5, 3.0)),
        area_cm2=float(rng.choice([0.785, 1.13, 2.01])), cycles=cycles,
        exchange_current_ma_cm2=float(rng.uniform(0.3, 3.0)), area_resistance_ohm_cm2=float(rng.uniform(5.0, 50.0)),
        rest_s=float(rng.choice([0.0, 60.0, 600.0])), noise_fraction=float(rng.uniform(0.005, 0.08)),
        short_kind=short_kind, short_cycle=short_cycle,
        short_level=float(rng.uniform(0.15, 0.45) if short_kind == "soft" else rng.uniform(0.1, 1.0)),
        dip_cycle=maybe(0.33, 5, cycles - 5) if short_kind is None else None, dip_level=float(rng.uniform(0.3, 0.7)),
        missing_half_cycle=maybe(0.17, 10, 2 * cycles - 10),
        restart_cycle=maybe(0.17, 5, cycles - 5), current_change_cycle=maybe(0.17, 5, cycles - 5),
        current_change_factor=float(rng.choice([0.5, 2.0])))
