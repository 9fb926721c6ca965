"""Issue 24: the phase field's regime, its capillary dispersion, Fig. 4e in both presets, speed and grid convergence.

    python -m bench.phasefield_scale              # everything (the grid study adds about a minute)
    python -m bench.phasefield_scale --no-grid

Prints, per metal at the defaults (−0.1 V, 4 nm bump): the regime diagnostics (Damköhler, Wagner,
marginal wavelength, the bump's capillary decay rate) and the reading; the decay rate of a 0.25 nm
sine on bare metal at equilibrium against ω = −L_σκk² at λ = 16 and 32 nm (target: within 5 %);
A/A0 bare and under (1-1)10/25/50 in the physical default (target: bare < 1, 1 ≤ (1-1)50 ≤ (1-1)25)
and in the NON-PHYSICAL preset hong-viswanathan-read-in-nm (target: bare > (1-1)25 > (1-1)50 > 1);
the time per film at the defaults (target ≤ 1 s, median of the runs); the peak compression of
Li@(1-1)25 at cells δ/4, δ/8, δ/16 (target: the two finest within 1 %).
"""

from __future__ import annotations

import argparse
import math
import statistics

import numpy as np

from interlayer.models.film import Film
from interlayer.models.phasefield import PhaseFieldConfig, simulate_phasefield
from interlayer.models.phasefield_presets import HONG_VISWANATHAN_READ_IN_NM, PHYSICAL, preset
from interlayer.models.recipe import Recipe

METALS = ("Li", "Na")
FILMS = (None, "(1ALD-1MLD)10", "(1ALD-1MLD)25", "(1ALD-1MLD)50")
TIME_TARGET_S = 1.0


def regime() -> None:
    print("Regime at the defaults (η = −0.1 V, bump R = 4 nm):")
    for metal in METALS:
        r = simulate_phasefield(metal, None).regime
        print(f"  {metal}: Da {r['damkohler']:.3g}, Wa {r['wagner']:.3g}, λ_c {r['marginal_wavelength_m'] * 1e6:.3g} µm, "
              f"ω_bump {r['capillary_decay_rate_1_s']:.3g} s⁻¹ (L_σ {simulate_phasefield(metal, None).parameters_si['interface_mobility_m3_j_s']:.3g} m³ J⁻¹ s⁻¹)")
        print(f"      {r['reading']}")


def dispersion() -> None:
    print("\nDispersion: a 0.25 nm sine on bare metal at equilibrium (η = 0), fitted ln A(t) slope against −L_σκk²:")
    print(f"  {'metal':5s} {'λ nm':>5s} {'ω model 1/s':>12s} {'ω closed 1/s':>13s} {'error':>7s}  target ≤ 5 %")
    for metal in METALS:
        for wavelength_nm in (16.0, 32.0):
            config = PhaseFieldConfig(width_nm=wavelength_nm, height_nm=16.0, base_height_nm=8.0,
                                      perturbation_radius_nm=0.25, perturbation_shape="sine",
                                      plated_thickness_nm=1.0, max_time_s=1.0)
            run = simulate_phasefield(metal, None, overpotential_v=0.0, config=config)
            si = run.parameters_si
            # ω = −L_σ κ k²
            closed = -si["interface_mobility_m3_j_s"] * si["gradient_coefficient_j_m"] * (2 * math.pi / (wavelength_nm * 1e-9)) ** 2
            late = run.time_s > 0.02
            measured = float(np.polyfit(run.time_s[late], np.log(run.amplitude_nm[late]), 1)[0])
            error = measured / closed - 1.0
            print(f"  {metal:5s} {wavelength_nm:5.0f} {measured:12.4f} {closed:13.4f} {100 * error:6.2f} %  "
                  f"{'met' if abs(error) <= 0.05 else 'MISSED'}")


def figure_4e(name: str) -> list[float]:
    """A/A0 per metal and film under the preset ``name``; returns the wall times."""
    config, walls = preset(name), []
    print(f"\nFig. 4e, preset {name}: A/A0 (peak compression MPa, s per run)")
    for metal in METALS:
        ratios = {}
        cells = []
        for text in FILMS:
            film = Film.from_recipe(Recipe.parse(text, metal=metal)) if text else None
            run = simulate_phasefield(metal, film, config=config)
            ratios[text or "bare"] = run.amplitude_ratio
            walls.append(run.wall_s)
            cells.append(f"{text or 'bare'} {run.amplitude_ratio:.3f} ({run.peak_compressive_stress_mpa:.0f}, {run.wall_s:.2f} s)")
        print(f"  {metal}: " + "; ".join(cells))
        bare, mid, thick = ratios["bare"], ratios["(1ALD-1MLD)25"], ratios["(1ALD-1MLD)50"]
        if name == PHYSICAL:
            ok = bare < 1.0 and 1.0 <= thick <= mid
            print(f"      bare < 1 and 1 ≤ (1-1)50 ≤ (1-1)25: {'met' if ok else 'MISSED'}")
        else:
            ok = bare > mid > thick > 1.0
            print(f"      paper's ordering bare > (1-1)25 > (1-1)50 > 1: {'met' if ok else 'MISSED'}")
    return walls


def grid() -> None:
    print("\nGrid convergence at the defaults, Li@(1ALD-1MLD)25, peak compression (MPa):")
    film = Film.from_recipe(Recipe.parse("(1ALD-1MLD)25", metal="Li"))
    peaks = []
    for cell in (0.25, 0.125, 0.0625):
        peaks.append(simulate_phasefield("Li", film, config=PhaseFieldConfig(cell_nm=cell)).peak_compressive_stress_mpa)
        print(f"  cell {cell} nm (δ/{1 / cell:.0f}): {peaks[-1]:.1f}")
    finest = abs(peaks[2] - peaks[1]) / abs(peaks[2])
    print(f"  two finest {100 * finest:.2f} % apart (target ≤ 1 %): {'met' if finest <= 0.01 else 'MISSED'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phasefield_scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-grid", action="store_true", help="skip the grid study")
    args = parser.parse_args(argv)
    regime()
    dispersion()
    walls = figure_4e(PHYSICAL)
    figure_4e(HONG_VISWANATHAN_READ_IN_NM)
    median_s = statistics.median(walls)
    print(f"\nPhysical default: {median_s:.2f} s per film (median of {len(walls)}, max {max(walls):.2f} s); "
          f"target ≤ {TIME_TARGET_S:g} s: {'met' if median_s <= TIME_TARGET_S else 'MISSED'} "
          f"(before issue 24: 0.6 s at L_σ 1.7e-9; the Gibbs–Thomson L_σ with the old step took 2–7 s)")
    if not args.no_grid:
        grid()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
