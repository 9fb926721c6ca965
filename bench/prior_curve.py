"""The physics prior's lifetime-versus-thickness curve per metal, from the cell-scale mechanisms (issue 24).

    python -m bench.prior_curve

Prints, per metal, the CZM's opening under the plating stress, the debond ratio m_d = σw0/(2Gc), the
resistance ratio m_R = hFi0/(σ_f RT) and the index u = −ln(1 + m_d) − ln(1 + m_R) on the (1-1) unit at
1–64 nm, the optimum (target: inside 1–64 nm for Li and Na), and how the optimum moves when each
sourced constant is halved or doubled (film ionic conductivity σ_f, exchange current i0).
"""

from __future__ import annotations

from interlayer.models.electrochem import dendrite_pressure_mpa
from interlayer.surrogate.physics import SuppressionPrior
from interlayer.surrogate.simulations import LocalSimulations
from interlayer.surrogate.space import DesignSpace

THICKNESS_NM = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


def main() -> int:
    prior, simulations = SuppressionPrior(), LocalSimulations()
    scales = {}
    for metal in ("Li", "Na"):
        recipes = DesignSpace(metal).recipes()
        results = simulations.results(prior.requests(metal, recipes))
        curve = prior.curve(metal, results, THICKNESS_NM)
        scales[metal] = prior.thickness_scale_nm(metal, recipes, results)
        print(f"\n{metal}: plating stress {dendrite_pressure_mpa(metal):.0f} MPa; optimum {scales[metal]:.1f} nm "
              f"({'inside' if 1.0 < scales[metal] < 64.0 else 'OUTSIDE'} 1–64 nm)")
        print(f"  {'h nm':>5s} {'m_d':>9s} {'m_R':>7s} {'u':>7s} {'L/L_opt':>8s}")
        best = float(prior.curve(metal, results, [scales[metal]])["lifetime_index"][0])
        for i, h in enumerate(THICKNESS_NM):
            u = curve["lifetime_index"][i]
            print(f"  {h:5.0f} {curve['debond_ratio'][i]:9.3g} {curve['resistance_ratio'][i]:7.3f} {u:7.3f} "
                  f"{pow(2.718281828, u - best):8.2f}")
        for field, label in (("film_conductivity_s_m", "σ_f"), ("exchange_current_a_m2", "i0")):
            moved = [SuppressionPrior(**{field: getattr(prior, field) * factor}).thickness_scale_nm(metal, recipes, results)
                     for factor in (0.5, 2.0)]
            print(f"  optimum with {label} ½× / 2×: {moved[0]:.1f} / {moved[1]:.1f} nm")
    print(f"\nLi / Na optimum: {scales['Li'] / scales['Na']:.2f} (the paper's cells: ≈20 / ≈4 nm)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
