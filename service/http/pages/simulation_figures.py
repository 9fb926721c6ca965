"""A simulation's stored result drawn for its job page: a phase-field run's maps (order parameter,
concentration), the bump's amplitude over time and the tip-to-valley stress; a CZM run's interface
opening along the radius."""

from __future__ import annotations

from .plotting import Figure, base_layout


def simulation_figures(simulation: dict | None) -> dict[str, Figure]:
    """A simulation's stored result drawn: a phase-field run's maps (order parameter, concentration), the
    bump's amplitude over time and the tip-to-valley stress; a CZM run's interface opening along the radius."""
    result = (simulation or {}).get("result") or {}
    if "profile_opening_nm" in result:
        return {"opening": _opening(result)}
    if "amplitude_nm" not in result:
        return {}
    figures = {name: _field_map(result, key, title, scale) for name, key, title, scale in (
        ("order_parameter", "order_parameter_map", "Order parameter ξ at the end (1 metal, 0 electrolyte)", "Greys"),
        ("concentration", "concentration_map", "Li⁺ / Na⁺ concentration c/c0 at the end", "Viridis")) if key in result}
    return figures | {
        "amplitude": {"data": [{"type": "scatter", "mode": "lines", "x": result["time_s"], "y": result["amplitude_nm"],
                                "name": "bump amplitude"}],
                      "layout": base_layout("Amplitude of the surface bump while plating", "time (s)", "amplitude (nm)")},
        "stress": {"data": [{"type": "scatter", "mode": "lines", "x": result["profile_distance_nm"],
                             "y": result["profile_stress_mpa"], "name": "interfacial stress"}],
                   "layout": base_layout("Film stress from tip to valley", "distance from the tip (nm)", "stress (MPa)")},
        "surface": {"data": [{"type": "scatter", "mode": "lines", "y": result["final_surface_nm"], "name": "surface"}],
                    "layout": base_layout("Metal surface at the end", "grid point along the surface", "height (nm)")}}


def _field_map(result: dict, key: str, title: str, colorscale: str) -> Figure:
    return {"data": [{"type": "heatmap", "z": result[key], "x": result["map_x_nm"], "y": result["map_y_nm"],
                      "colorscale": colorscale, "colorbar": {"thickness": 12}}],
            "layout": base_layout(title, "x (nm)", "height (nm)", yaxis={"scaleanchor": "x", "title": {"text": "height (nm)"}})}


def _opening(result: dict) -> Figure:
    debond = result.get("debond_length_nm")
    shapes = [] if debond is None else [{"type": "line", "x0": debond, "x1": debond, "yref": "paper", "y0": 0, "y1": 1,
                                         "line": {"dash": "dot", "color": "#888"}}]
    return {"data": [{"type": "scatter", "mode": "lines", "x": result["profile_radius_nm"],
                      "y": result["profile_opening_nm"], "name": "interface opening"}],
            "layout": base_layout("Interface opening along the radius (dotted: the debonded zone's edge)",
                                  "radius (nm)", "opening (nm)", shapes=shapes)}
