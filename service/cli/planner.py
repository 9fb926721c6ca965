"""A campaign on the service as a closed-loop planner: ask is a proposal job, tell a measurement post,
recommend the stored recommendation. The demo and the service tests run the evaluation harness's
loop (``interlayer.evaluation.closed_loop.run_loop``) through it, against the HTTP API."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from interlayer.models.recipe import Recipe

from ..client import Client


class ApiPlanner:
    """``ask``/``tell``/``recommend`` of one campaign over the API; ``progress`` sees each proposal job's state."""

    def __init__(self, client: Client, campaign_id: str, *, progress: Callable[[dict], None] | None = None,
                 timeout_s: float = 600.0):
        self.client, self.campaign_id = client, campaign_id
        self.progress, self.timeout_s = progress, timeout_s
        self.rounds = 0
        self.proposals: list[dict] = []
        self.recommendation: dict | None = None

    def ask(self, count: int) -> list[Recipe]:
        job = self.client.wait(self.client.propose(self.campaign_id, count), progress=self.progress,
                               timeout_s=self.timeout_s)
        self.proposals = job["proposals"]
        self.rounds += 1
        return [Recipe.parse(p["recipe"]) for p in self.proposals]

    def tell(self, results: Sequence) -> None:
        """One row per cell, answering the proposal it was made for (results come in the order asked)."""
        rows = [{"proposal_id": proposal["id"], "lifetime_h": float(cell.lifetime_h), "censored": bool(cell.censored),
                 "cell_id": f"{cell.recipe.metal}-{self.rounds}-{proposal['id'][-6:]}"}
                for proposal, cell in zip(self.proposals, results)]
        self.client.measure(self.campaign_id, rows)

    def recommend(self) -> Recipe:
        self.recommendation = self.client.recommendation(self.campaign_id)
        return Recipe.parse(self.recommendation["recipe"])
