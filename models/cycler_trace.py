"""What a symmetric plating/stripping cell's tester trace says: the test condition, the overpotential per
cycle, the short and the cell's state. Pure functions over arrays of time (s), current (A), voltage (V).

A symmetric Li|Li or Na|Na cell under a galvanostatic protocol alternates plating and stripping half-cycles
of equal and opposite current; its voltage is the cell overpotential, a plateau of |V| below about 1 V whose
sign follows the current. A trace that does not look like that (a full or half cell at 3-4 V, constant-voltage
steps, no current reversal) is refused with the reason.

The plateau |V| of a half-cycle is the median |V| over the middle 20-80 % of its duration: the median ignores
noise spikes, the window leaves out the nucleation peak at the start and the end-of-step rise of stripping.
The overpotential of a cycle is the mean of its two half-cycles' plateaus.

Shorts (rules on cycles; each fired rule is named with its cycle and time in ``decisions``):
- hard: the cycle's overpotential falls below ``hard_fraction`` of the rolling baseline (median of the
  previous ``baseline_cycles`` cycles at the same current) and the cell behaves like a resistor: plating and
  stripping give the same |V|/|I| (within ``resistor_tolerance``). A lithium filament bridging the separator
  is a metallic resistor of milliohms to ohms; V = I R holds at every instant.
- soft: the overpotential drops below ``soft_fraction`` of the rolling baseline and stays there for
  ``soft_persist_cycles`` cycles: a partial (intermittent) short takes part of the current through a
  filament, lowering |V| without collapsing it (the paper's bare Na and Li cells, Fig. 2, short "with the
  sudden drop of the overpotential").
The short's time is the start of the first half-cycle whose plateau is below the rule's threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .errors import InterlayerError


class TraceError(InterlayerError):
    """A trace that cannot be analysed as data: NaN, a clock that runs backwards, too few rows, mismatched columns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ProtocolRefused(InterlayerError):
    """A readable trace whose protocol is not galvanostatic plating/stripping of a symmetric cell."""


@dataclass(frozen=True)
class TraceRules:
    """Thresholds of the analysis; defaults checked on the generated traces of ``bench.cycler_ingest``."""

    # |I| below this fraction of the trace's 99th-percentile |I| is a rest (changed currents up to x10 stay above)
    rest_fraction: float = 0.05
    min_half_cycle_samples: int = 5
    # a clock that jumps back to at most this time (s) is a restarted test appended to the file
    restart_max_start_s: float = 60.0
    # a symmetric cell's overpotential stays below this (V); full and half cells sit at 0.01-4.5 V of one sign
    symmetric_max_v: float = 1.0
    # (p90 - p10) / median of |I| within a half-cycle above this: not constant current (CV or CC-CV)
    constant_current_tolerance: float = 0.1
    # the share of half-cycles that must pass the sign and constant-current checks
    protocol_share: float = 0.9
    # a half-cycle |I| differing by more than this from its block's starts a new current block
    current_change_tolerance: float = 0.1
    baseline_cycles: int = 5
    min_baseline_cycles: int = 3
    soft_fraction: float = 0.5
    soft_persist_cycles: int = 3
    # a hard short leaves a few mV of I R against 20-300 mV intact: under a tenth (a soft short keeps 15-50 %)
    hard_fraction: float = 0.1
    resistor_tolerance: float = 0.25
    # |V| below this (V) is under a tester's resolution (0.1-0.3 mV on 16-bit channels, 1 mV with margin): such a
    # plateau has no reliable sign, and a cycle whose halves both lie below it counts as a resistor of < 1 mV / |I|
    voltage_resolution_v: float = 1e-3


@dataclass
class HalfCycles:
    """Half-cycles as arrays: sample index range [start, stop), times, signed median current, signed plateau voltage."""

    start: np.ndarray
    stop: np.ndarray
    t_start_s: np.ndarray
    t_end_s: np.ndarray
    current_a: np.ndarray
    plateau_v: np.ndarray
    current_spread: np.ndarray


@dataclass
class TraceAnalysis:
    state: str  # shorted, running (censored at its last hour) or stopped (the file says the test ended)
    lifetime_h: float
    duration_h: float  # the trace's last hour
    censored: bool
    short: dict | None
    current_density_ma_cm2: float
    capacity_mah_cm2: float
    overpotential_mv: float | None
    overpotential_rule: str
    cycles: dict
    decisions: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def continuous_time(time_s: np.ndarray, current_a: np.ndarray, voltage_v: np.ndarray,
                    rules: TraceRules = TraceRules()) -> tuple[np.ndarray, list[dict]]:
    """The trace's clock with restarts joined (each restarted segment continues from the last time before it),
    and the restarts found. Raises TraceError for mismatched lengths, too few rows, NaN or a backwards clock."""
    n = len(time_s)
    if not (len(current_a) == len(voltage_v) == n):
        raise TraceError(f"time, current and voltage have {n}, {len(current_a)} and {len(voltage_v)} rows", "file")
    if n < 2 * rules.min_half_cycle_samples:
        raise TraceError(f"the trace has {n} rows; a plating/stripping test has at least {2 * rules.min_half_cycle_samples}", "file")
    for name, column in (("time_s", time_s), ("current_a", current_a), ("voltage_v", voltage_v)):
        bad = np.flatnonzero(~np.isfinite(column))
        if bad.size:
            raise TraceError(f"{name} is not a finite number at data row {bad[0] + 1} ({bad.size} rows in all)", name)
    back = np.flatnonzero(np.diff(time_s) < 0)
    jumps = np.zeros(n)
    restarts = []
    for k in back:
        if time_s[k + 1] > rules.restart_max_start_s:
            raise TraceError(f"the clock goes backwards at data row {k + 2}: {time_s[k + 1]:g} s after {time_s[k]:g} s "
                             "(not a restart from zero)", "time_s")
        step_s = time_s[k] - time_s[k - 1] if k > 0 else 0.0
        jumps[k + 1] = time_s[k] - time_s[k + 1] + max(step_s, 0.0)
        restarts.append({"row": int(k + 2), "after_h": float(time_s[k] / 3600.0)})
    return (time_s + np.cumsum(jumps) if restarts else np.asarray(time_s, dtype=float)), restarts


def _runs(sign: np.ndarray, gap: np.ndarray, min_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """[start, stop) of the runs of one nonzero sign, split where ``gap`` (between a sample and the next) is set;
    runs split by fewer than ``min_samples`` other samples merge."""
    edges = np.flatnonzero((np.diff(sign) != 0) | gap) + 1
    starts = np.concatenate(([0], edges))
    stops = np.concatenate((edges, [sign.size]))
    keep = sign[starts] != 0
    starts, stops = starts[keep], stops[keep]
    merged_start, merged_stop = [], []
    for a, b in zip(starts.tolist(), stops.tolist()):
        if merged_stop and sign[a] == sign[merged_start[-1]] and 0 < a - merged_stop[-1] < min_samples:
            merged_stop[-1] = b
        else:
            merged_start.append(a)
            merged_stop.append(b)
    start, stop = np.array(merged_start, dtype=int), np.array(merged_stop, dtype=int)
    long = stop - start >= min_samples
    return start[long], stop[long]


def half_cycles(time_s: np.ndarray, current_a: np.ndarray, voltage_v: np.ndarray, rules: TraceRules = TraceRules()) -> HalfCycles:
    """Split the trace into constant-sign current steps (rests dropped); each with its plateau voltage."""
    magnitude = np.abs(current_a)
    threshold = rules.rest_fraction * float(np.percentile(magnitude, 99))
    sign = np.where(magnitude > threshold, np.sign(current_a), 0).astype(np.int8)
    # a pause in the log over 10 typical sample intervals and a minute ends a step (a half-cycle missing from the file)
    dt_s = np.diff(time_s)
    start, stop = _runs(sign, dt_s > max(10.0 * float(np.median(dt_s)), 60.0), rules.min_half_cycle_samples)
    current, plateau, spread = (np.empty(start.size) for _ in range(3))
    for i, (a, b) in enumerate(zip(start.tolist(), stop.tolist())):
        lo, hi = a + (b - a) // 5, b - (b - a) // 5  # the middle 20-80 % of the step's samples
        current[i] = np.median(current_a[a:b])
        plateau[i] = np.median(voltage_v[lo:hi])
        p10, p90 = np.percentile(magnitude[lo:hi], [10, 90])
        spread[i] = (p90 - p10) / abs(current[i])
    return HalfCycles(start, stop, time_s[start], time_s[stop - 1], current, plateau, spread)


def check_protocol(steps: HalfCycles, rules: TraceRules = TraceRules()) -> None:
    """Raise ProtocolRefused, with the reason, unless the steps are galvanostatic plating/stripping of a symmetric cell."""
    n = steps.start.size
    signs = np.sign(steps.current_a)
    if n < 2 or np.all(signs == signs[0]):
        raise ProtocolRefused(f"the current never reverses ({n} current step(s) of one sign): a symmetric cell alternates "
                              "plating and stripping")
    volts = np.abs(steps.plateau_v)
    resolved = volts > rules.voltage_resolution_v  # a shorted cell's sub-mV plateaus have no reliable sign
    agree = float(np.mean(np.sign(steps.plateau_v[resolved]) == signs[resolved])) if resolved.any() else 0.0
    median_v = float(np.median(volts))
    if median_v > rules.symmetric_max_v or rules.protocol_share > max(agree, 1.0 - agree):
        raise ProtocolRefused(
            f"the voltage sits at {np.percentile(steps.plateau_v, 5):.3g} to {np.percentile(steps.plateau_v, 95):.3g} V with "
            f"the current in both directions (its sign follows the current's in {100 * agree:.0f} % of steps): a full or "
            f"half cell, not a symmetric Li|Li or Na|Na cell, whose |V| stays below {rules.symmetric_max_v:g} V and changes "
            "sign with the current")
    constant = float(np.mean(steps.current_spread <= rules.constant_current_tolerance))
    if constant < rules.protocol_share:
        raise ProtocolRefused(f"the current varies within {100 * (1 - constant):.0f} % of the steps (a constant-voltage or "
                              "CC-CV step): not galvanostatic plating/stripping")


def cycle_index(steps: HalfCycles) -> np.ndarray:
    """The cycle of each half-cycle: a new cycle starts with the first step's sign, or after two steps of one sign
    in a row (a missing half-cycle)."""
    signs = np.sign(steps.current_a)
    new = (signs == signs[0]) | np.concatenate(([True], signs[1:] == signs[:-1]))
    new[0] = True
    return np.cumsum(new) - 1


def current_blocks(current_a: np.ndarray, rules: TraceRules = TraceRules()) -> np.ndarray:
    """Block number of each half-cycle: a new block starts when |I| differs from the block's first by more than the tolerance."""
    blocks = np.zeros(current_a.size, dtype=int)
    reference = abs(current_a[0])
    for i in range(1, current_a.size):
        changed = abs(abs(current_a[i]) / reference - 1.0) > rules.current_change_tolerance
        blocks[i] = blocks[i - 1] + changed
        reference = abs(current_a[i]) if changed else reference
    return blocks


@dataclass
class Cycles:
    """Per cycle: its half-cycles' positions in ``HalfCycles``, overpotential (V), resistor mismatch, current block."""

    halves: list[np.ndarray]
    overpotential_v: np.ndarray
    resistor_mismatch: np.ndarray
    block: np.ndarray
    t_start_s: np.ndarray
    current_a: np.ndarray  # |I| of the cycle's first half


def per_cycle(steps: HalfCycles, rules: TraceRules = TraceRules()) -> Cycles:
    """Group half-cycles into cycles. The resistor mismatch is max/min - 1 of |V|/|I| over the cycle's halves
    (0 for an ohmic short or halves below the voltage resolution, NaN for a cycle with one half)."""
    index = cycle_index(steps)
    blocks = current_blocks(steps.current_a, rules)
    edges = np.flatnonzero(np.diff(index)) + 1
    halves = np.split(np.arange(index.size), edges)
    volts = np.abs(steps.plateau_v)
    ohms = volts / np.abs(steps.current_a)
    eta = np.array([volts[h].mean() for h in halves])
    mismatch = np.array([0.0 if volts[h].max() < rules.voltage_resolution_v else
                         ohms[h].max() / max(ohms[h].min(), 1e-300) - 1.0 if h.size > 1 else np.nan for h in halves])
    first = np.array([h[0] for h in halves])
    return Cycles(halves, eta, mismatch, blocks[first], steps.t_start_s[first], np.abs(steps.current_a[first]))


def _short_time(steps: HalfCycles, cycles: Cycles, c: int, threshold_v: float) -> float:
    """Start of the first half-cycle of cycles c - 1 to c + 1 whose plateau |V| is below the threshold."""
    candidates = np.concatenate([cycles.halves[k] for k in (c - 1, c, c + 1) if 0 <= k < len(cycles.halves)])
    low = candidates[np.abs(steps.plateau_v[candidates]) < threshold_v]
    return float(steps.t_start_s[low[0]] if low.size else cycles.t_start_s[c])


def _persists(cycles: Cycles, c: int, limit_v: float, count: int) -> int:
    """How many of the cycles c .. c + count - 1 (in c's current block) stay below limit_v, stopping at the first that does not."""
    held = 0
    for k in range(c, min(c + count, cycles.block.size)):
        if cycles.block[k] != cycles.block[c] or cycles.overpotential_v[k] >= limit_v:
            break
        held += 1
    return held


def _baseline(history: list[float], carried: float | None, rules: TraceRules) -> float | None:
    """The median of the last cycles at this current, or the bound carried over from the previous current."""
    if len(history) >= rules.min_baseline_cycles:
        return float(np.median(history[-rules.baseline_cycles:]))
    return carried


def detect_short(steps: HalfCycles, cycles: Cycles, rules: TraceRules = TraceRules()) -> tuple[dict | None, list[dict]]:
    """The first hard or soft short (rule, cycle, time, the baseline and drop) and the decisions taken on the way."""
    decisions: list[dict] = []
    history: list[float] = []
    carried: float | None = None
    for c in range(cycles.block.size):
        if c and cycles.block[c] != cycles.block[c - 1]:
            # The overpotential changes with the current, so the baseline starts again; until the new current has
            # its own, the old one carries over as a lower bound: eta(j) (Butler-Volmer asinh plus ohmic j R) is
            # concave and rises from 0, so eta(k j) >= min(k, 1) eta(j) for the intact cell.
            previous = _baseline(history, carried, rules)
            carried = None if previous is None else previous * min(cycles.current_a[c] / cycles.current_a[c - 1], 1.0)
            history = []
        eta = float(cycles.overpotential_v[c])
        base = _baseline(history, carried, rules)
        if base is None or eta >= rules.soft_fraction * base:
            history.append(eta)
            continue
        remaining = min(rules.soft_persist_cycles, int(np.sum(cycles.block[c:] == cycles.block[c])))
        held = _persists(cycles, c, rules.soft_fraction * base, rules.soft_persist_cycles)
        # the cycle the short falls in is part intact: the next one shows whether the cell became a resistor
        ends = [k for k in (c, c + 1) if k < cycles.block.size and cycles.overpotential_v[k] < rules.hard_fraction * base
                and cycles.resistor_mismatch[k] <= rules.resistor_tolerance]
        hard = bool(ends) and held >= min(2, remaining)
        if hard or (held >= rules.soft_persist_cycles):
            fraction = rules.hard_fraction if hard else rules.soft_fraction
            time_s = _short_time(steps, cycles, c, fraction * base)
            short = {"kind": "hard" if hard else "soft", "cycle": c + 1, "time_h": time_s / 3600.0,
                     "baseline_mv": 1e3 * base, "overpotential_mv": 1e3 * eta,
                     "rule": (f"hard short: |V| {1e3 * cycles.overpotential_v[ends[0]]:.3g} mV at cycle {ends[0] + 1} < "
                              f"{rules.hard_fraction:g} x baseline {1e3 * base:.3g} mV and plating/stripping |V|/|I| agree "
                              f"within {100 * cycles.resistor_mismatch[ends[0]]:.0f} % (a resistor)")
                     if hard else (f"soft short: |V| {1e3 * eta:.3g} mV < {rules.soft_fraction:g} x baseline {1e3 * base:.3g} mV "
                                   f"for {held} cycles")}
            decisions.append({"rule": short["kind"] + "_short", "cycle": c + 1, "time_h": short["time_h"], "detail": short["rule"]})
            return short, decisions
        why = ("the trace ends first" if held == remaining else f"it recovered at cycle {c + held + 1}")
        decisions.append({"rule": "transient_drop", "cycle": c + 1, "time_h": float(cycles.t_start_s[c]) / 3600.0,
                          "detail": f"|V| {1e3 * eta:.3g} mV < {rules.soft_fraction:g} x baseline {1e3 * base:.3g} mV for "
                                    f"{held} of {rules.soft_persist_cycles} cycles; not a short: {why}"})
    return None, decisions


def _trace_decisions(steps: HalfCycles, cycles: Cycles, restarts: list[dict], area_cm2: float) -> list[dict]:
    """Restarts, missing half-cycles and data gaps, and current changes: what the analysis noticed and how it took it."""
    decisions = [{"rule": "restart", "cycle": None, "time_h": r["after_h"],
                  "detail": f"the clock restarts from zero at data row {r['row']}; joined after {r['after_h']:.4g} h"} for r in restarts]
    duration_s = steps.t_end_s - steps.t_start_s
    gap_s = steps.t_start_s[1:] - steps.t_end_s[:-1]
    typical_gap_s = float(np.median(gap_s)) + float(np.median(duration_s))
    for c, h in enumerate(cycles.halves):
        if h.size == 1 and c < len(cycles.halves) - 1:
            decisions.append({"rule": "missing_half_cycle", "cycle": c + 1, "time_h": float(cycles.t_start_s[c]) / 3600.0,
                              "detail": "two steps of one sign in a row: each counted as a cycle of one half"})
    for i in np.flatnonzero(gap_s > 1.5 * typical_gap_s):
        decisions.append({"rule": "data_gap", "cycle": None, "time_h": float(steps.t_end_s[i]) / 3600.0,
                          "detail": f"no current step for {gap_s[i] / 3600.0:.3g} h; hours count on through the gap"})
    for c in np.flatnonzero(np.diff(cycles.block)) + 1:
        density = 1e3 * abs(steps.current_a[cycles.halves[c][0]]) / area_cm2
        decisions.append({"rule": "current_change", "cycle": int(c) + 1, "time_h": float(cycles.t_start_s[c]) / 3600.0,
                          "detail": f"the current changes to {density:.3g} mA/cm2; the short's baseline restarts there"})
    return decisions


def _setpoint(value: float) -> float:
    return float(f"{value:.3g}")


def analyse_trace(time_s, current_a, voltage_v, area_cm2: float, test_ended: bool = False,
                  rules: TraceRules = TraceRules()) -> TraceAnalysis:
    """The condition, overpotential, short and state of a symmetric cell's trace; raises TraceError or ProtocolRefused."""
    if not (isinstance(area_cm2, (int, float)) and np.isfinite(area_cm2) and area_cm2 > 0):
        raise TraceError(f"the electrode area must be a positive number of cm2, got {area_cm2!r}", "area_cm2")
    current_a, voltage_v = np.asarray(current_a, dtype=float), np.asarray(voltage_v, dtype=float)
    time_s, restarts = continuous_time(np.asarray(time_s, dtype=float), current_a, voltage_v, rules)
    steps = half_cycles(time_s, current_a, voltage_v, rules)
    check_protocol(steps, rules)
    cycles = per_cycle(steps, rules)
    short, short_decisions = detect_short(steps, cycles, rules)
    first = np.concatenate([h for h, b in zip(cycles.halves, cycles.block) if b == 0])
    amps = float(np.median(np.abs(steps.current_a[first])))
    # capacity per half-cycle = |I| x step duration / area (mAh cm-2)
    seconds = float(np.median(steps.t_end_s[first] - steps.t_start_s[first]))
    before = (cycles.block == 0) & (np.arange(cycles.block.size) < (short["cycle"] - 1 if short else cycles.block.size))
    eta_mv = float(1e3 * np.median(cycles.overpotential_v[before])) if before.any() else None
    duration_s = float(time_s[-1] - time_s[0])
    # a drop still short of the cycles that confirm it censors the cell where it began, so that the hours of a
    # growing file only rise: the next upload confirms the short there or sees the cell recover
    pending = [d for d in short_decisions if d["rule"] == "transient_drop" and "trace ends" in d["detail"]]
    end_s = short["time_h"] * 3600.0 if short else (pending[0]["time_h"] * 3600.0 if pending else duration_s)
    state = "shorted" if short else ("stopped" if test_ended else "running")
    return TraceAnalysis(
        state=state, lifetime_h=end_s / 3600.0, duration_h=duration_s / 3600.0, censored=short is None, short=short,
        # the tester's set points, to 3 significant figures (a campaign's target condition is matched exactly)
        current_density_ma_cm2=_setpoint(1e3 * amps / area_cm2),
        capacity_mah_cm2=_setpoint(1e3 * amps * seconds / 3600.0 / area_cm2),
        overpotential_mv=eta_mv,
        overpotential_rule="median over the cycles before any short, at the first current, of each cycle's mean plateau |V| "
                           "(median |V| over the middle 20-80 % of each half-cycle)",
        cycles={"t_start_h": (cycles.t_start_s / 3600.0).tolist(), "overpotential_mv": (1e3 * cycles.overpotential_v).tolist(),
                "current_density_ma_cm2": [1e3 * abs(float(steps.current_a[h[0]])) / area_cm2 for h in cycles.halves]},
        decisions=_trace_decisions(steps, cycles, restarts, area_cm2) + short_decisions)


def downsample(time_s: np.ndarray, voltage_v: np.ndarray, max_points: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` points of the trace for a browser: each bucket of samples keeps its lowest and
    highest voltage in time order, so a collapse to a short or a spike stays visible."""
    n = time_s.size
    buckets = max(1, max_points // 2)
    if n <= max_points:
        return time_s, voltage_v
    edges = np.linspace(0, n, buckets + 1).astype(int)
    low = np.minimum.reduceat(voltage_v, edges[:-1])
    high = np.maximum.reduceat(voltage_v, edges[:-1])
    middle_s = time_s[(edges[:-1] + edges[1:]) // 2]
    return np.repeat(middle_s, 2), np.column_stack((low, high)).ravel()
