"""Mechanisms that set a film's thickness at the scale of a cell (µm of plated metal, hours): issue 24.

A 4 nm bump cannot tell films apart (``phasefield_regime``: transport cannot grow it), so the
thickness a metal asks of its film comes from two mechanisms that act on every cycle of a cell:

1. **Delamination under the plating stress** (thin films fail). A nucleus growing under the film pushes
   on it with σ = FΔφ/V_m (paper Eq. 1; ``electrochem.dendrite_pressure_mpa``: Li 100 MPa, Na 59 MPa).
   The cohesive-zone model (paper Fig. 4a,b; ``czm``) gives the film's opening w0 over the nucleus at
   that pressure. For a blister the energy released per unit of debonded area is G = p w0/2 (exact
   for the clamped plate; Hutchinson & Suo, Adv. Appl. Mech. 29 (1992) 63), so

       m_d(h) = G/Gc = σ w0(h) / (2 Gc(h))

   is the debond's drive over the interface's fracture energy: ≫ 1 the film peels off each nucleus,
   ≪ 1 it holds. It falls steeply with h (w0 ∝ h⁻³ in the plate regime, Gc rises with h).
2. **Ionic resistance** (thick films cost). The film's area resistance h/σ_f adds to the interface's
   charge-transfer resistance RT/(F i0). Where the film is breached (a crack, a pinhole, the edge of a
   debond) the current bypasses that resistance, so the overpotential that drives a nucleus there,
   and by Eq. 1 the stress it pushes with, grows as

       1 + m_R(h),   m_R(h) = h F i0 / (σ_f R T)

   (the film's resistance over the charge-transfer resistance).

Lifetime index (the prior's shape, in e-folds of lifetime): L ∝ 1/((1 + m_d)(1 + m_R)), i.e.
u = −ln(1 + m_d) − ln(1 + m_R): the two mechanisms act in series and each costs lifetime in
proportion to the drive it adds. This form is an assumption; its parameters are sourced below and
none is fitted to the paper's optimum.
"""

from __future__ import annotations

import numpy as np

from .electrochem import FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K, ROOM_TEMPERATURE_K

# σ_f: ionic conductivity of a lithiated Al2O3–alucone film, 1e-7 S cm⁻¹ = 1e-5 S m⁻¹ (check). Amorphous
# Li–Al–O and Li–La–Zr–O films by ALD and sputtering conduct 1e-8 … 4e-7 S cm⁻¹ at room temperature
# (Kalita et al., Solid State Ionics 229 (2012) 14: 0.8–4e-7; the ALD Li–Al–O of Miikkulainen et al.
# and Aaltonen et al. (Chem. Mater. 2011) in the 1e-8 … 1e-7 range); sputtered LiPON, the best
# amorphous thin-film electrolyte, 1e-6 (Put et al., ACS Appl. Mater. Interfaces 8 (2016) 7060).
# Na: no measurement of a sodiated film; the same value (assumption).
FILM_IONIC_CONDUCTIVITY_S_M = 1e-5
# i0: exchange current density of the metal in its electrolyte, 11.1 A m⁻² (1.1 mA cm⁻²), the phase
# field's (Hong & Viswanathan 2018, L_η 0.001 s⁻¹ on their 1 µm interface; Li in carbonates 0.1–10 mA cm⁻²)
EXCHANGE_CURRENT_DENSITY_A_M2 = 11.1


def charge_transfer_resistance_ohm_m2(exchange_current_a_m2: float = EXCHANGE_CURRENT_DENSITY_A_M2,
                                      temperature_k: float = ROOM_TEMPERATURE_K) -> float:
    """R_ct = RT/(F i0): the interface's small-signal area resistance (2.3e-3 Ω m² at the defaults)."""
    return GAS_CONSTANT_J_PER_MOL_K * temperature_k / (FARADAY_C_PER_MOL * exchange_current_a_m2)


def resistance_ratio(thickness_nm: np.ndarray | float, conductivity_s_m: float = FILM_IONIC_CONDUCTIVITY_S_M,
                     exchange_current_a_m2: float = EXCHANGE_CURRENT_DENSITY_A_M2,
                     temperature_k: float = ROOM_TEMPERATURE_K) -> np.ndarray:
    """m_R = (h/σ_f) / R_ct: the film's ionic resistance over the charge-transfer resistance (h/23 nm here)."""
    film_ohm_m2 = np.asarray(thickness_nm, dtype=float) * 1e-9 / conductivity_s_m
    # m_R = h F i0 / (σ_f R T)
    return film_ohm_m2 / charge_transfer_resistance_ohm_m2(exchange_current_a_m2, temperature_k)


def debond_ratio(pressure_mpa: float, opening_nm: float, fracture_energy_j_m2: float) -> float:
    """m_d = G/Gc with G = p w0/2: the plating stress's drive to peel the film off a nucleus over Gc."""
    # G = p w0 / 2   (Pa · m = J m⁻²)
    return pressure_mpa * 1e6 * opening_nm * 1e-9 / 2.0 / fracture_energy_j_m2


def lifetime_index(debond: np.ndarray | float, resistance: np.ndarray | float) -> np.ndarray:
    """u = −ln(1 + m_d) − ln(1 + m_R): log-lifetime relative to a film that neither peels nor resists."""
    return -np.log1p(np.asarray(debond, dtype=float)) - np.log1p(np.asarray(resistance, dtype=float))
