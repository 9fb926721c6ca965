"""Names and times as a scientist reads them: ``energy_release_rate_j_m2`` → "energy release rate (J m⁻²)",
an ISO timestamp → the second it happened (the page's script shows it in the reader's zone)."""

from __future__ import annotations

from datetime import datetime, timezone

from markupsafe import Markup, escape

# unit suffixes of the result's keys, longest first so "_mah_cm2" is not read as "_cm2"
UNITS = (("_mah_cm2", "mAh cm⁻²"), ("_ma_cm2", "mA cm⁻²"), ("_m3_j_s", "m³ J⁻¹ s⁻¹"), ("_m2_s", "m² s⁻¹"),
         ("_j_m2", "J m⁻²"), ("_j_m3", "J m⁻³"), ("_a_m2", "A m⁻²"), ("_mol_m3", "mol m⁻³"), ("_j_m", "J m⁻¹"),
         ("_gpa", "GPa"), ("_mpa", "MPa"), ("_pa", "Pa"), ("_nm", "nm"), ("_mv", "mV"), ("_v", "V"), ("_s", "s"),
         ("_h", "h"), ("_k", "K"), ("_m", "m"))


def quantity(name: str) -> str:
    """A result key as words with its unit, properly capitalised, in brackets."""
    for suffix, unit in UNITS:
        if name.endswith(suffix):
            return f"{name[:-len(suffix)].replace('_', ' ')} ({unit})"
    return name.replace("_", " ")


def moment(iso: str | None) -> Markup:
    """A stored time to the second, as a <time> element that app.js rewrites in the reader's own zone."""
    if not iso:
        return Markup("–")
    when = datetime.fromisoformat(iso)
    # SQLite hands back naive times; every stored time is UTC
    when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    return Markup(f'<time datetime="{escape(when.isoformat(timespec="seconds"))}">{when:%Y-%m-%d %H:%M:%S} UTC</time>')
