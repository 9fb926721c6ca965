"""``/v1/campaigns/{id}/export``: the campaign for an electronic lab notebook, as JSON or one table as CSV."""

from __future__ import annotations

import csv
import io
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from ...schemas.responses import ExportOut
from ...usecases import exports
from ..deps import AppSettings, Owner

router = APIRouter(prefix="/v1/campaigns/{campaign_id}/export", tags=["campaigns"])


def rows_csv(rows: list[dict]) -> str:
    """Rows as CSV, the columns in the first row's order plus any later row adds."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def export_response(document: dict, campaign_id: str, format: str, table: str) -> Response:
    """The export as JSON (everything) or one table as a CSV file to download."""
    if format == "json":
        return JSONResponse(document, headers={"Content-Disposition": f'attachment; filename="{campaign_id}.json"'})
    return Response(rows_csv(exports.export_rows(document, table)), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{campaign_id}-{table}.csv"'})


@router.get("", responses={200: {"model": ExportOut, "content": {"text/csv": {}},
                                 "description": "JSON: provenance, campaign, cells, proposals, recommendations; "
                                                "CSV: the table asked for"}})
def export_campaign(campaign_id: str, owner: Owner, settings: AppSettings, format: Literal["json", "csv"] = Query("json"),
                    table: Literal[exports.TABLES] = Query("cells", description="for CSV: cells, proposals or recommendations")) -> Response:
    return export_response(exports.campaign_export(settings, owner, campaign_id), campaign_id, format, table)
