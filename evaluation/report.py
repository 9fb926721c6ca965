"""Printing for the closed-loop runner and the benches: tables of experiments to 90 %, verdicts, exit codes."""

from __future__ import annotations

import sys

from interlayer.models.errors import InterlayerError

from .benchmark import BASELINES, CHECKPOINTS, TARGET_EXPERIMENTS, TARGET_SPEEDUP


def print_table(title: str, summaries: dict[str, dict], budget: int, batch: int) -> None:
    print(title)
    print(f"{'method':<14} {'exp. to 90% (median)':>21} " + " ".join(f"{'@' + str(c):>7}" for c in CHECKPOINTS)
          + f" {'s/run':>7}")
    for method, summary in summaries.items():
        to_target = summary["to_target"]
        shown = f"{to_target:g}" if to_target < budget + batch else f"> {budget} ({to_target:g})"
        print(f"{method:<14} {shown:>21} " + " ".join(f"{summary['at'][c]:>7.2f}" for c in CHECKPOINTS)
              + f" {summary['elapsed_s']:>7.1f}")
    for method, summary in summaries.items():
        print(f"{method:<14} experiments to 90% per seed: {' '.join(f'{n:g}' for n in summary['per_seed'])}")


def print_verdict(summaries: dict[str, dict], budget: int, batch: int) -> None:
    ours = summaries["interlayer"]["to_target"]
    baselines = [summaries[m]["to_target"] for m in BASELINES if m in summaries]
    print(f"target: Interlayer median experiments to 90% <= {TARGET_EXPERIMENTS}: {ours:g} "
          f"-> {'met' if ours <= TARGET_EXPERIMENTS else 'MISSED'}")
    if baselines:
        best = min(baselines)
        note = " (best baseline never reached 90%: a lower bound)" if best >= budget + batch else ""
        print(f"target: >= {TARGET_SPEEDUP:g}x fewer than the best baseline ({best:g}): {best / ours:.2f}x "
              f"-> {'met' if best / ours >= TARGET_SPEEDUP else 'MISSED'}{note}")


# What the family figures must show (issue 16): Interlayer's median and 90th percentile over the held-out labs,
# and a median at most half of BayBE's on the same labs and seeds.
FAMILY_TARGET_MEDIAN = 12
FAMILY_TARGET_P90 = 24
FAMILY_TARGET_VS_BAYBE = 0.5


def print_distribution(title: str, distributions: dict[str, dict], elapsed: dict[str, float]) -> None:
    """One row per method: runs, median, 75th and 90th percentile of experiments to 90 %, share solved within 16 and 32."""
    print(title)
    print(f"{'method':<14} {'runs':>5} {'median':>7} {'p75':>6} {'p90':>6} {'<=16':>6} {'<=32':>6} {'s/run':>7}")
    for method, d in distributions.items():
        print(f"{method:<14} {d['runs']:>5} {d['median']:>7g} {d['p75']:>6g} {d['p90']:>6g} {d['within_16']:>6.2f}"
              f" {d['within_32']:>6.2f} {elapsed[method]:>7.1f}")


def print_family_verdict(distributions: dict[str, dict]) -> None:
    if "interlayer" not in distributions:
        return
    ours = distributions["interlayer"]
    for name, value, target in (("median", ours["median"], FAMILY_TARGET_MEDIAN), ("90th percentile", ours["p90"], FAMILY_TARGET_P90)):
        print(f"target: Interlayer {name} of experiments to 90% <= {target}: {value:g} -> {'met' if value <= target else 'MISSED'}")
    if "baybe" in distributions:
        theirs = distributions["baybe"]["median"]
        print(f"target: Interlayer median <= {FAMILY_TARGET_VS_BAYBE:g} x BayBE's ({theirs:g}): {ours['median']:g} "
              f"-> {'met' if ours['median'] <= FAMILY_TARGET_VS_BAYBE * theirs else 'MISSED'}")


def run_cli(main_function) -> int:
    """Run a bench's ``main``; bad input becomes one line on stderr and exit code 2."""
    try:
        return main_function()
    except InterlayerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
