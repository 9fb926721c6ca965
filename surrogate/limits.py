"""Which of a design space's limits a recipe breaks, each named with its bound: what a lab reads when a
cell it reports lies outside its campaign's space (``DesignSpace.contains`` only says whether)."""

from __future__ import annotations

from interlayer.models.recipe import Recipe

from .space import DesignSpace


def broken_limits(space: DesignSpace, recipe: Recipe) -> list[str]:
    """Each limit of ``space`` that ``recipe`` breaks, as text naming the value and the bound; empty when inside."""
    if recipe.metal != space.metal:
        return [f"the metal is {recipe.metal}; the space's is {space.metal}"]
    if recipe.is_bare:
        return ["a bare metal is no recipe of a coating space"]
    broken = []
    if recipe.chemistry.name != space.chemistry:
        broken.append(f"the chemistry is {recipe.chemistry.name}; the space's is {space.chemistry}")
    for what, value, low, high in (("ALD cycles per unit", recipe.ald_cycles, space.min_ald_cycles, space.max_ald_cycles),
                                   ("MLD cycles per unit", recipe.mld_cycles, space.min_mld_cycles, space.max_mld_cycles),
                                   ("supercycles", recipe.supercycles, 1, space.max_supercycles)):
        if not low <= value <= high:
            broken.append(f"{what} {value} outside the space's {low}–{high}")
    if space.symmetric_only and recipe.ald_cycles != recipe.mld_cycles:
        broken.append("the space holds symmetric units only (as many ALD as MLD cycles)")
    # the same tolerance as DesignSpace's enumeration of the thickness band
    if recipe.thickness_nm > space.max_thickness_nm + 1e-9:
        broken.append(f"thickness {recipe.thickness_nm:.1f} nm above the space's limit of {space.max_thickness_nm:g} nm")
    if recipe.thickness_nm < space.min_thickness_nm - 1e-9:
        broken.append(f"thickness {recipe.thickness_nm:.1f} nm below the space's floor of {space.min_thickness_nm:g} nm")
    return broken
