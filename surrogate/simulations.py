"""Where a campaign's physics results come from: one interface, and the runner that computes them here.

A ``Campaign`` asks its ``SimulationSource`` once for every ``SimulationRequest`` its physics prior
needs. ``LocalSimulations`` runs them in this process (a notebook, a benchmark); the service
implements the same interface over its stored simulation jobs and raises when some are still
running. Either way the results are the JSON of ``interlayer.models.simulation.run_simulation``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from interlayer.models.simulation import run_simulation

from .physics import SimulationRequest


class SimulationSource(Protocol):
    def results(self, requests: Sequence[SimulationRequest]) -> Mapping[SimulationRequest, dict]:
        """The result of every request (``run_simulation`` JSON), or an error saying why not."""
        ...


class LocalSimulations:
    """Runs each request in this process, once per instance: campaigns that share one (the seeds of
    a benchmark) share the runs, which are deterministic."""

    def __init__(self) -> None:
        self._done: dict[SimulationRequest, dict] = {}

    def results(self, requests: Sequence[SimulationRequest]) -> dict[SimulationRequest, dict]:
        for request in requests:
            if request not in self._done:
                self._done[request] = run_simulation(request.model, request.metal, request.recipe,
                                                     request.parameters_dict())
        return {request: self._done[request] for request in requests}
