"""``/v1/published``: the published sets (shipped and imported), one set's cells, and the import of a published-style CSV."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool

from ...errors import ServiceInputError
from ...schemas import PUBLISHED_NAME
from ...schemas.responses import PublishedCellsOut, PublishedSetOut, PublishedSetsOut
from ...usecases import published
from ..deps import AppSettings, Owner
from ..uploads import uploaded_csv

router = APIRouter(prefix="/v1/published", tags=["published"])

_COLUMNS = "recipe, metal, current_ma_cm2, capacity_mah_cm2, lifetime_h, state, overpotential_mv (may be empty), reference, where, how"
PUBLISHED_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string", "description": f"a header naming {_COLUMNS}; one cell per row"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
}}}
_NAME = Path(pattern=PUBLISHED_NAME, description="lower-case letters, digits, '_', '.', '-'; at most 64")


@router.get("", response_model=PublishedSetsOut)
def list_published(owner: Owner, settings: AppSettings) -> dict:
    return {"sets": published.list_published(settings, owner)}


@router.get("/{name}", response_model=PublishedCellsOut)
def show_published(owner: Owner, settings: AppSettings, name: str = _NAME) -> dict:
    return published.show_published(settings, owner, name)


@router.post("/{name}", status_code=201, response_model=PublishedSetOut, openapi_extra=PUBLISHED_BODY)
async def import_published(request: Request, owner: Owner, settings: AppSettings, name: str = _NAME) -> dict:
    """Import a published-style CSV as the set NAME: every row validated, a bad one is a 422 naming its row and column."""
    text = await uploaded_csv(request)
    if text is None:
        raise ServiceInputError("send the CSV as a text/csv body or as the multipart form field 'file'", ["body"])
    return await run_in_threadpool(published.import_published, settings, owner, name, text, ["body", "file", "row"])
