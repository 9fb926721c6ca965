"""A simulation's stored result drawn for its job page: a phase-field run's maps (order parameter with the
metal, film and electrolyte labelled; concentration in the electrolyte), the bump's amplitude over time, the
tip-to-valley stress at the end beside the peak's time, and the final surface; a CZM run's interface opening
along the radius. Every length axis is in nm."""

from __future__ import annotations

from .plotting import Figure, base_layout

# electrolyte (ξ = 0) pale blue, metal (ξ = 1) dark grey: both visible on the page's white background
PHASE_SCALE = [[0.0, "#d1e5f0"], [1.0, "#3a3a3a"]]
FILM_COLOR = "rgba(231,41,138,0.35)"


def simulation_figures(simulation: dict | None) -> dict[str, Figure]:
    """A simulation's stored result drawn, by plot name (none for a result without series)."""
    result = (simulation or {}).get("result") or {}
    if "profile_opening_nm" in result:
        return {"opening": _opening(result)}
    if "amplitude_nm" not in result:
        return {}
    figures = {}
    if "order_parameter_map" in result:
        figures["order_parameter"] = _phases(result)
    if "concentration_map" in result:
        figures["concentration"] = _concentration(result)
    return figures | {"amplitude": _amplitude(result), "stress": _stress(result), "surface": _surface(result)}


def surface_x_nm(result: dict) -> list[float]:
    """The surface's sample positions: cell centres of the grid (cell size from the run's parameters, in m)."""
    cell_nm = result["parameters"]["cell_size_m"] * 1e9
    return [(index + 0.5) * cell_nm for index in range(len(result["final_surface_nm"]))]


def _map_layout(title: str) -> dict:
    return base_layout(title, "position along the surface (nm)", "height (nm)",
                       yaxis={"scaleanchor": "x", "title": {"text": "height (nm)"}})


def _phases(result: dict) -> Figure:
    """ξ on a two-colour scale, the film drawn as a band on the final surface and each region named."""
    x, surface = surface_x_nm(result), result["final_surface_nm"]
    film_nm = result.get("film_thickness_nm") or 0.0
    data = [{"type": "heatmap", "z": result["order_parameter_map"], "x": result["map_x_nm"], "y": result["map_y_nm"],
             "colorscale": PHASE_SCALE, "zmin": 0, "zmax": 1, "name": "ξ",
             "colorbar": {"thickness": 12, "title": {"text": "ξ"}, "tickvals": [0, 1], "ticktext": ["0 electrolyte", "1 metal"]}}]
    if film_nm:
        data += [{"type": "scatter", "mode": "lines", "x": x, "y": surface, "line": {"width": 0}, "showlegend": False,
                  "hoverinfo": "skip"},
                 {"type": "scatter", "mode": "lines", "x": x, "y": [h + film_nm for h in surface], "fill": "tonexty",
                  "fillcolor": FILM_COLOR, "line": {"width": 0}, "name": f"film ({film_nm:g} nm)", "hoverinfo": "skip"}]
    middle, top = x[len(x) // 2], result["map_y_nm"][-1]
    low = min(surface)
    labels = [("metal", low / 2), ("electrolyte", (top + max(surface) + film_nm) / 2)]
    annotations = [{"x": middle, "y": y, "text": text, "showarrow": False, "font": {"color": "#000"},
                    "bgcolor": "rgba(255,255,255,0.7)"} for text, y in labels]
    if film_nm:
        annotations.append({"x": x[len(x) // 8], "y": surface[len(x) // 8] + film_nm, "text": "film", "showarrow": True,
                            "ay": -25, "bgcolor": "rgba(255,255,255,0.7)"})
    layout = _map_layout("Metal, film and electrolyte at the end of plating")
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def _concentration(result: dict) -> Figure:
    """The ions' deficit 1 − c/c0 in the electrolyte only (the metal's cells hidden), in ppm when the run
    keeps it (a nanometre bump depletes parts per million), on a scale spanning what the run left."""
    deficit = "concentration_deficit_ppm_map" in result
    values_map = result["concentration_deficit_ppm_map"] if deficit else result["concentration_map"]
    z = [[c if xi < 0.5 else None for c, xi in zip(c_row, xi_row)]
         for c_row, xi_row in zip(values_map, result["order_parameter_map"])]
    values = [c for row in z for c in row if c is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    # the map keeps 3 decimals: a narrower span is rounding
    spread = max(high - low, 0.002)
    if deficit:
        title = f"Ion deficit 1 − c/c0 in the electrolyte at the end (from {low:.3g} to {high:.3g} ppm)"
        unit = "ppm"
    else:  # a result stored before the deficit was kept
        title = f"Ion concentration c/c0 in the electrolyte at the end (from {low:.3f} to {high:.3f})"
        unit = "c/c0"
    return {"data": [{"type": "heatmap", "z": z, "x": result["map_x_nm"], "y": result["map_y_nm"], "colorscale": "Viridis",
                      "zmin": (low + high - spread) / 2, "zmax": (low + high + spread) / 2,
                      "colorbar": {"thickness": 12, "title": {"text": unit}}}],
            "layout": _map_layout(title)}


def _amplitude(result: dict) -> Figure:
    return {"data": [{"type": "scatter", "mode": "lines", "x": result["time_s"], "y": result["amplitude_nm"],
                      "name": "bump amplitude"}],
            "layout": base_layout("Height of the surface bump while plating", "time (s)", "bump amplitude (nm)")}


def _stress(result: dict) -> Figure:
    """The profile is the last step's; the table's peak is the whole run's, at the time the title gives."""
    end_s = result["time_s"][-1] if result.get("time_s") else None
    where = result.get("stress_locations") or {}
    title = "Film stress from the bump's tip to the valley" + (f", at the end (t = {end_s:.3g} s)" if end_s is not None else "")
    if "peak_compression_time_s" in where:
        title += (f"<br><sub>lowest here {min(result['profile_stress_mpa']):.0f} MPa; the run's peak "
                  f"{result['peak_compressive_stress_mpa']:.0f} MPa acted at t = {where['peak_compression_time_s']:.3g} s, "
                  f"{where.get('peak_compression_from_tip_nm', 0):.2g} nm from the tip</sub>")
    layout = base_layout(title, "distance from the tip (nm)", "stress (MPa; negative: compression)",
                         margin={"l": 60, "r": 20, "t": 70, "b": 50})
    return {"data": [{"type": "scatter", "mode": "lines", "x": result["profile_distance_nm"],
                      "y": result["profile_stress_mpa"], "name": "interfacial stress at the end"}], "layout": layout}


def _surface(result: dict) -> Figure:
    return {"data": [{"type": "scatter", "mode": "lines", "x": surface_x_nm(result), "y": result["final_surface_nm"],
                      "name": "surface"}],
            "layout": base_layout("Metal surface at the end", "position along the surface (nm)", "height (nm)")}


def _opening(result: dict) -> Figure:
    debond = result.get("debond_length_nm")
    shapes = [] if debond is None else [{"type": "line", "x0": debond, "x1": debond, "yref": "paper", "y0": 0, "y1": 1,
                                         "line": {"dash": "dot", "color": "#888"}}]
    return {"data": [{"type": "scatter", "mode": "lines", "x": result["profile_radius_nm"],
                      "y": result["profile_opening_nm"], "name": "interface opening"}],
            "layout": base_layout("How far the film lifts off along the radius (dotted: edge of the debonded zone)",
                                  "radius (nm)", "opening (nm)", shapes=shapes)}
