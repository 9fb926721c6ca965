"""The job vocabulary shared by routes, tasks, the queue and the tables: what a job does and where it stands."""

from __future__ import annotations

from enum import StrEnum


class JobKind(StrEnum):
    SIMULATION = "simulation"
    PROPOSAL = "proposal"
    # A refit of the recommendation after the campaign's measurements changed. The stored and wire value
    # stays "ingest": job rows, Celery task names and the jobs metric's label already carry it, and
    # clients and dashboards filter on it.
    REFIT = "ingest"
    # a battery tester's file read and analysed, its cell updated (issue 27)
    CYCLER_FILE = "cycler_file"

    @property
    def task_name(self) -> str:
        """The Celery task that runs jobs of this kind."""
        return f"interlayer.{self.value}"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})
