"""What a campaign optimizes: lifetime (the default), lifetime and overpotential as a Pareto pair, or
lifetime under an outcome constraint such as ``overpotential_mv <= 60``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from interlayer.models.errors import InterlayerError

# objective name -> the outcome it reads and its direction
OBJECTIVES = {"lifetime": ("lifetime_h", "max"), "overpotential": ("overpotential_mv", "min")}
OUTCOMES = ("lifetime_h", "overpotential_mv")
_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$")


class ObjectiveError(InterlayerError):
    """An objective or constraint the campaign cannot optimize; ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class OutcomeConstraint:
    """``outcome op bound``: e.g. overpotential_mv <= 60."""

    outcome: str
    op: str
    bound: float

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ObjectiveError(f"a constraint on {self.outcome!r}, which is not an outcome; choose one of {', '.join(OUTCOMES)}",
                                 "constraint")
        if self.outcome == "lifetime_h":
            raise ObjectiveError("lifetime is the objective; constrain overpotential_mv", "constraint")
        if self.op not in ("<=", ">="):
            raise ObjectiveError(f"a constraint's operator is <= or >=, got {self.op!r}", "constraint")
        if isinstance(self.bound, bool) or not isinstance(self.bound, (int, float)) or not math.isfinite(self.bound) \
                or self.bound <= 0:
            raise ObjectiveError(f"a constraint's bound must be a positive finite number, got {self.bound!r}", "constraint")

    @classmethod
    def parse(cls, text: str) -> "OutcomeConstraint":
        match = _CONSTRAINT.match(text) if isinstance(text, str) else None
        if match is None:
            raise ObjectiveError(f"a constraint reads like 'overpotential_mv<=60', got {text!r}", "constraint")
        try:
            bound = float(match.group(3))
        except ValueError:
            raise ObjectiveError(f"a constraint's bound must be a number, got {match.group(3)!r}", "constraint") from None
        return cls(match.group(1), match.group(2), bound)

    def satisfied(self, value: float) -> bool:
        return value <= self.bound if self.op == "<=" else value >= self.bound

    def __str__(self) -> str:
        return f"{self.outcome}{self.op}{self.bound:g}"


@dataclass(frozen=True)
class Objective:
    """``names``: ("lifetime",) or ("lifetime", "overpotential"); ``constraint``: an OutcomeConstraint or None."""

    names: tuple[str, ...] = ("lifetime",)
    constraint: OutcomeConstraint | None = None

    def __post_init__(self) -> None:
        names = tuple(self.names)
        unknown = [n for n in names if n not in OBJECTIVES]
        if unknown or not names:
            raise ObjectiveError(f"unknown objective {', '.join(map(repr, unknown)) or '(none)'}; "
                                 f"choose lifetime or lifetime,overpotential", "objectives")
        if names not in (("lifetime",), ("lifetime", "overpotential")):
            raise ObjectiveError(f"objectives are lifetime or lifetime,overpotential, got {','.join(names)}", "objectives")
        if self.constraint is not None and len(names) > 1:
            raise ObjectiveError("a constraint goes with the lifetime objective alone", "constraint")
        object.__setattr__(self, "names", names)

    @classmethod
    def parse(cls, objectives: str | Sequence[str] | None = None, constraint: str | None = None) -> "Objective":
        if objectives is None:
            names: tuple[str, ...] = ("lifetime",)
        elif isinstance(objectives, str):
            names = tuple(n.strip() for n in objectives.split(",") if n.strip())
        else:
            names = tuple(objectives)
        return cls(names, OutcomeConstraint.parse(constraint) if constraint else None)

    @classmethod
    def from_dict(cls, data: Any) -> "Objective":
        if data is None:
            return cls()
        if isinstance(data, Objective):
            return data
        return cls.parse(data.get("objectives"), data.get("constraint"))

    @property
    def pareto(self) -> bool:
        return len(self.names) == 2

    @property
    def plain(self) -> bool:
        """Lifetime alone, unconstrained: today's campaign."""
        return not self.pareto and self.constraint is None

    @property
    def needs_overpotential(self) -> bool:
        return not self.plain

    def as_dict(self) -> dict[str, Any]:
        return {"objectives": list(self.names), "constraint": str(self.constraint) if self.constraint else None}
