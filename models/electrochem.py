"""Electrochemistry constants, metal data and the dendrite pressure of paper Eq. (1).

σ·V_m = F·Δφ: a nucleus growing under a driving overpotential Δφ pushes on the film above it with
a mean stress σ. Under the same charging rate Δφ is the same for every metal, so the pressure
scales with 1/V_m.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SimulationInputError, UnknownMetalError, require_positive

FARADAY_C_PER_MOL = 96485.33212
GAS_CONSTANT_J_PER_MOL_K = 8.314462618
ROOM_TEMPERATURE_K = 298.15


@dataclass(frozen=True)
class Metal:
    """An alkali metal anode.

    ``deposit_molar_volume_cm3_mol`` is the volume a mole of plated metal actually occupies in a
    cell: the paper measured Li/Na deposit thickness 0.59 at equal charge (Fig. S26), which it uses
    in place of the handbook ratio 13.0/23.7 = 0.55 to set σ_Na = 59 MPa when σ_Li = 100 MPa.
    """

    symbol: str
    molar_volume_cm3_mol: float
    deposit_molar_volume_cm3_mol: float
    youngs_modulus_gpa: float
    poisson_ratio: float
    surface_energy_j_m2: float
    valence: int = 1


# Handbook molar volumes (CRC). Moduli: polycrystalline values (CRC; Li 4.9, Na 10, K 3.53 GPa).
# Surface energies of the solid metals: Tyson & Miller, Surf. Sci. 62 (1977) 267, from the liquids'
# surface tension extrapolated to the solid (Li 0.522, Na 0.261, K 0.145 J m⁻²); DFT (Tran et al.,
# Sci. Data 3 (2016) 160080) gives Li 0.46–0.50, Na 0.22–0.24 for the low-index faces.
METALS: dict[str, Metal] = {
    "Li": Metal("Li", molar_volume_cm3_mol=13.0, deposit_molar_volume_cm3_mol=13.0,
                youngs_modulus_gpa=4.9, poisson_ratio=0.36, surface_energy_j_m2=0.522),
    # Deposit volume from the paper's measured Li/Na deposit thickness ratio 0.59.
    "Na": Metal("Na", molar_volume_cm3_mol=23.7, deposit_molar_volume_cm3_mol=13.0 / 0.59,
                youngs_modulus_gpa=10.0, poisson_ratio=0.34, surface_energy_j_m2=0.261),
    # Room for K: no deposit measurement, so the handbook volume stands in (assumption).
    "K": Metal("K", molar_volume_cm3_mol=45.94, deposit_molar_volume_cm3_mol=45.94,
               youngs_modulus_gpa=3.53, poisson_ratio=0.35, surface_energy_j_m2=0.145),
}

# The paper assumes σ_Li = 100 MPa; the driving overpotential that gives it under Eq. (1):
# Δφ = σ V_m / F = 100e6 Pa · 13.0e-6 m³/mol / F ≈ 13.5 mV.
REFERENCE_DRIVING_OVERPOTENTIAL_V = 100e6 * 13.0e-6 / FARADAY_C_PER_MOL


def metal(symbol: str) -> Metal:
    """Look a metal up by its symbol (``"Li"``, ``"Na"``, ``"K"``)."""
    try:
        return METALS[symbol]
    except (KeyError, TypeError):
        known = ", ".join(METALS)
        raise UnknownMetalError(f"unknown metal {symbol!r}; known metals: {known}") from None


def dendrite_pressure_mpa(symbol: str, driving_overpotential_v: float = REFERENCE_DRIVING_OVERPOTENTIAL_V) -> float:
    """Mean stress a growing nucleus exerts on the film, MPa.

    Eq. (1): σ = F·Δφ / V_m with the deposit molar volume; Li 100 MPa, Na 59 MPa at the default Δφ.
    """
    data = metal(symbol)
    delta_phi_v = require_positive("driving_overpotential_v", driving_overpotential_v, SimulationInputError)
    molar_volume_m3_mol = data.deposit_molar_volume_cm3_mol * 1e-6
    # σ = F Δφ / V_m
    return FARADAY_C_PER_MOL * delta_phi_v / molar_volume_m3_mol / 1e6


def thermal_voltage_v(temperature_k: float = ROOM_TEMPERATURE_K, valence: int = 1) -> float:
    """RT/(nF) in volts: 25.7 mV at 298 K for a monovalent ion."""
    return GAS_CONSTANT_J_PER_MOL_K * temperature_k / (valence * FARADAY_C_PER_MOL)


def stress_energy_ratio(symbol: str, stress_mpa: float, temperature_k: float = ROOM_TEMPERATURE_K) -> float:
    """σΩ/RT with the handbook molar volume: 0.525 for Li at 100 MPa, 0.566 for Na at 59 MPa."""
    data = metal(symbol)
    # σ Ω / (R T)
    return stress_mpa * 1e6 * data.molar_volume_cm3_mol * 1e-6 / (GAS_CONSTANT_J_PER_MOL_K * temperature_k)
