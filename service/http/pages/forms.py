"""Form fields in, typed input out; refusals become messages beside the field they concern."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ...errors import ServiceInputError

# Location parts that name where a value came from, not which field it is.
_CONTAINERS = {"body", "form", "file", "row"}
# A test condition's fields, as the API names them (a cell's and a campaign's target)
CONDITION_FIELDS = ("current_density_ma_cm2", "capacity_mah_cm2")


def filled(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    """The named fields the user filled in (an empty field takes the default)."""
    return {name: value.strip() for name in names if isinstance(value := form.get(name), str) and value.strip()}


def _field_name(location: list | tuple) -> str:
    return ".".join(str(part) for part in location if part not in _CONTAINERS and not isinstance(part, int)) or "form"


def field_errors(error: Exception) -> dict[str, str]:
    """``{"space.max_ald_cycles": "Input should be ..."}`` from a pydantic or service refusal."""
    if isinstance(error, ValidationError):
        return {_field_name(item["loc"]): item["msg"] for item in error.errors()}
    if isinstance(error, ServiceInputError):
        items = error.errors or [{"loc": error.location, "msg": str(error)}]
        return {_field_name(item["loc"]): item["msg"] for item in items}
    return {"form": str(error)}


def row_errors(error: ServiceInputError) -> list[dict[str, Any]]:
    """A CSV upload's refusal as (row, column, message) lines; a file-wide problem has no row."""
    items = error.errors or [{"loc": error.location, "msg": str(error)}]
    out = []
    for item in items:
        numbers = [part for part in item["loc"] if isinstance(part, int)]
        out.append({"row": numbers[0] if numbers else None, "field": _field_name(item["loc"]), "message": item["msg"]})
    return out
