"""The cell test's condition: current density (mA cm⁻²) and areal capacity (mAh cm⁻²).

A campaign has a target condition; cells tested at other ones inform it as related data, with the
condition as a context input of the GP: ``context(condition) = (ln I − ln I*, ln Q − ln Q*)`` for the
target (I*, Q*), so that cells at the target sit at the origin.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from interlayer.models.errors import InterlayerError


class ConditionError(InterlayerError):
    """A condition that is not one (non-positive, NaN or infinite current or capacity)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ConditionError(f"{name} must be a positive finite number, got {value!r}", name)
    return float(value)


@dataclass(frozen=True)
class Condition:
    """Current density in mA cm⁻² and areal capacity in mAh cm⁻² of a cell test."""

    current_ma_cm2: float
    capacity_mah_cm2: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "current_ma_cm2", _positive(self.current_ma_cm2, "current_ma_cm2"))
        object.__setattr__(self, "capacity_mah_cm2", _positive(self.capacity_mah_cm2, "capacity_mah_cm2"))

    @classmethod
    def parse(cls, text: str) -> "Condition":
        """``"3,1"``: 3 mA cm⁻², 1 mAh cm⁻²."""
        parts = str(text).split(",")
        if len(parts) != 2:
            raise ConditionError(f"a condition is 'current_ma_cm2,capacity_mah_cm2', got {text!r}", "condition")
        try:
            current, capacity = float(parts[0]), float(parts[1])
        except ValueError:
            raise ConditionError(f"a condition is two numbers, got {text!r}", "condition") from None
        return cls(current, capacity)

    @classmethod
    def from_dict(cls, data: Any) -> "Condition | None":
        """From stored or posted JSON (``current_ma_cm2`` or the service's ``current_density_ma_cm2``); None stays None."""
        if data is None:
            return None
        if isinstance(data, Condition):
            return data
        if isinstance(data, (tuple, list)) and len(data) == 2:
            return cls(*data)
        if not isinstance(data, dict):
            raise ConditionError(f"a condition is a mapping, got {data!r}", "condition")
        current = data.get("current_ma_cm2", data.get("current_density_ma_cm2"))
        capacity = data.get("capacity_mah_cm2")
        if current is None or capacity is None:
            raise ConditionError("a condition needs current_ma_cm2 and capacity_mah_cm2", "condition")
        return cls(current, capacity)

    def as_dict(self) -> dict[str, float]:
        return {"current_ma_cm2": self.current_ma_cm2, "capacity_mah_cm2": self.capacity_mah_cm2}

    def features(self) -> tuple[float, float]:
        """(ln current density, ln capacity)."""
        return (math.log(self.current_ma_cm2), math.log(self.capacity_mah_cm2))

    def context(self, target: "Condition") -> tuple[float, float]:
        """This condition's context input relative to ``target`` (the origin)."""
        mine, theirs = self.features(), target.features()
        return (mine[0] - theirs[0], mine[1] - theirs[1])

    def __str__(self) -> str:
        return f"{self.current_ma_cm2:g} mA/cm2, {self.capacity_mah_cm2:g} mAh/cm2"
