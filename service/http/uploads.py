"""Measurement rows from a request: a JSON list (or ``{"measurements": [...]}``), a CSV body or a
multipart CSV upload; every row validated, all errors at once, each at ``[*prefix, row, field]``."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ..errors import ServiceInputError
from ..schemas import RECORD_FIELDS, MeasurementIn

CSV_COLUMNS = ("recipe", "proposal_id", "lifetime_h", "censored", "overpotential_mv", "cell_id",
               "current_density_ma_cm2", "capacity_mah_cm2", "state", "failure_reason", "current_ma_cm2",
               *RECORD_FIELDS)


def _pydantic_errors(error: ValidationError, prefix: list, number: int) -> list[dict]:
    """Each field's error located at ``[*prefix, number, field]``, its message saying "row N" (rows count from 1)."""
    return [{"loc": [*prefix, number, *item["loc"]],
             "msg": f"row {number}: " + (f"{'.'.join(map(str, item['loc']))}: " if item["loc"] else "") + item["msg"],
             "type": item["type"]} for item in error.errors()]


def parse_rows(rows: list[Any], prefix: list) -> list[MeasurementIn]:
    """Validate every row's fields; all errors at once, each at ``[*prefix, row, field]``."""
    parsed, errors = [], []
    for number, row in enumerate(rows, start=1):
        try:
            parsed.append(MeasurementIn.model_validate(row))
        except ValidationError as error:
            errors.extend(_pydantic_errors(error, prefix, number))
    if errors:
        raise ServiceInputError(f"{len(errors)} invalid field(s)", errors=errors)
    if not parsed:
        raise ServiceInputError("no measurement rows given", [*prefix])
    return parsed


def csv_rows(text: str) -> list[dict[str, Any]]:
    """CSV with a header naming columns from CSV_COLUMNS; empty cells are absent values."""
    try:
        return _csv_records(text)
    except csv.Error as error:  # e.g. a bare carriage return inside an unquoted cell
        raise ServiceInputError(f"the CSV file cannot be read: {error}", ["body", "file"]) from None


def _csv_records(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ServiceInputError("the CSV file is empty", ["body", "file"])
    unknown = [name for name in reader.fieldnames if name not in CSV_COLUMNS]
    if unknown:
        raise ServiceInputError(f"unknown CSV column(s) {', '.join(unknown)}; known: {', '.join(CSV_COLUMNS)}",
                                ["body", "file", "header"])
    rows = []
    for record in reader:
        row: dict[str, Any] = {k: v.strip() for k, v in record.items() if k is not None and v is not None and v.strip()}
        if None in record:
            row["extra_cells"] = record[None]  # refused by the model: more cells than the header names
        if "current_ma_cm2" in row:
            row.setdefault("current_density_ma_cm2", row.pop("current_ma_cm2"))
        condition = {k: row.pop(k) for k in ("current_density_ma_cm2", "capacity_mah_cm2") if k in row}
        if condition:
            row["condition"] = condition
        rows.append(row)
    return rows


async def measurement_rows(request: Request) -> tuple[list[MeasurementIn], list]:
    """The validated rows of the request and the location prefix of its rows in error messages."""
    text = await uploaded_csv(request)
    if text is not None:
        rows, prefix = csv_rows(text), ["body", "file", "row"]
    else:
        rows, prefix = await _json_rows(request), ["body"]
    return parse_rows(rows, prefix), prefix


async def uploaded_csv(request: Request) -> str | None:
    """The CSV text of a ``text/csv`` body or of a multipart upload's field ``file``; None for other content types."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ServiceInputError("upload the CSV as the form field 'file'", ["body", "file"])
        return _text(await upload.read())
    if content_type.startswith("text/csv"):
        return _text(await request.body())
    return None


async def _json_rows(request: Request) -> list[Any]:
    try:
        data = json.loads(await request.body() or b"null")
    except json.JSONDecodeError as error:
        raise RequestValidationError([{"loc": ["body"], "msg": f"invalid JSON: {error}", "type": "json_invalid"}]) from None
    if isinstance(data, dict) and "measurements" in data:
        data = data["measurements"]
    if not isinstance(data, list):
        raise ServiceInputError("give a JSON list of measurements (or a CSV file)", ["body"])
    return data


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceInputError("the CSV file is not UTF-8 text", ["body", "file"]) from None
    if "\x00" in text:
        raise ServiceInputError("the CSV file contains NUL characters", ["body", "file"])
    return text
