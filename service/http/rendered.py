"""Rendered recommendations: the JSON bytes of answers already sent, kept per API process.

A stored recommendation never changes under its stamp (data version, computed_at): a refit stores a new row
with a new ``computed_at``. So the bytes rendered for one stamp (and test condition) may be sent again after a
single light query confirms the stamp is still the campaign's current one (``usecases.recommendations.current_stamp``),
without reading the stored document (about 18 kB for the demo's campaigns) or serializing it again.
"""

from __future__ import annotations

from collections import OrderedDict

# Answers kept per API process: a few per campaign being watched (the target condition and one or two others).
RENDERED_ANSWERS = 512


class RenderedRecommendations:
    """The last ``size`` rendered answers, by (campaign, test condition, stamp)."""

    def __init__(self, size: int = RENDERED_ANSWERS):
        self.size = size
        self._bodies: OrderedDict[tuple, bytes] = OrderedDict()

    def get(self, campaign_id: str, condition: str | None, stamp: tuple[int, str]) -> bytes | None:
        key = (campaign_id, condition, stamp)
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
        return body

    def put(self, campaign_id: str, condition: str | None, stamp: tuple[int, str], body: bytes) -> None:
        self._bodies[(campaign_id, condition, stamp)] = body
        while len(self._bodies) > self.size:
            self._bodies.popitem(last=False)
