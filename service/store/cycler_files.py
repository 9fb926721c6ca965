"""The battery-tester files of cells (issue 27): every query on ``cycler_files``, and the cell rows it updates."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import tables


class CyclerFiles:
    """Reads and writes of files and their cells in the caller's session (and transaction)."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, row: tables.CyclerFile) -> bool:
        """Insert ``row``; False when the same content is already stored for the cell (the unique constraint,
        so two uploads of the same bytes at once store one row)."""
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def by_content(self, cell_key: str, content_sha256: str) -> tables.CyclerFile | None:
        """The stored file of that cell with those bytes, if any."""
        return self.session.scalars(select(tables.CyclerFile).where(
            tables.CyclerFile.cell_key == cell_key, tables.CyclerFile.content_sha256 == content_sha256)).first()

    def get(self, file_id: str) -> tables.CyclerFile | None:
        return self.session.get(tables.CyclerFile, file_id)

    def of_measurement(self, measurement_id: str) -> list[tables.CyclerFile]:
        """The cell's files, oldest upload first."""
        return list(self.session.scalars(select(tables.CyclerFile).where(tables.CyclerFile.measurement_id == measurement_id)
                                         .order_by(tables.CyclerFile.uploaded_at, tables.CyclerFile.id)))

    def measurement(self, campaign_id: str, measurement_id: str) -> tables.Measurement | None:
        row = self.session.get(tables.Measurement, measurement_id)
        return row if row is not None and row.campaign_id == campaign_id else None

    def measurement_of_cell(self, campaign_id: str, cell_id: str) -> tables.Measurement | None:
        return self.session.scalars(select(tables.Measurement).where(
            tables.Measurement.campaign_id == campaign_id, tables.Measurement.cell_id == cell_id)).first()
