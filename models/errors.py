"""Typed errors for bad physical input.

Every error is a ``ValueError`` so plain Python callers can catch it the usual way; the CLI and
the API catch ``InterlayerError`` and turn it into a one-line message (exit code 2, HTTP 422).
"""


class InterlayerError(ValueError):
    """Base class: the input names something physically or syntactically impossible."""


class RecipeError(InterlayerError):
    """A recipe string or recipe numbers that do not describe an ALD/MLD film."""


class UnknownMetalError(InterlayerError):
    """A metal that Interlayer has no data for."""


class FilmParameterError(InterlayerError):
    """A film property (thickness, modulus, strength, ...) that is missing, NaN or of the wrong sign."""


class SimulationInputError(InterlayerError):
    """Model parameters that cannot be simulated (grid too coarse, load of the wrong sign, ...)."""


def require_positive(name: str, value: float, error: type[InterlayerError] = FilmParameterError) -> float:
    """Return ``value`` as float, or raise ``error`` naming ``name`` when it is NaN, infinite or <= 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise error(f"{name} must be a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise error(f"{name} must be finite, got {value!r}")
    if number <= 0.0:
        raise error(f"{name} must be positive, got {value!r}")
    return number
