"""The operator's view: Prometheus metrics at ``/metrics``.

Requests are counted and timed by route template (not raw path: ids would explode the series) in
this process. Jobs by kind and status, the queue's depth, live workers and recent job durations are
read from the database and the broker at scrape time, so every API process reports the same
service-wide figures and nothing is lost when a process restarts.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings
from ..usecases.operations import service_figures

# Seconds; a GET recommendation takes about 5 ms, a proposal fit a few seconds.
REQUEST_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
JOB_BUCKETS_S = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)


class ServiceCollector:
    """Service-wide figures, read when Prometheus scrapes."""

    def __init__(self, settings: Settings, broker) -> None:
        self.settings, self.broker = settings, broker

    def collect(self):
        figures = service_figures(self.settings, self.broker)
        jobs = GaugeMetricFamily("interlayer_jobs", "Jobs by kind and status", labels=["kind", "status"])
        for (kind, status), count in figures.jobs.items():
            jobs.add_metric([kind, status], count)
        yield jobs
        if figures.queue_depth is not None:
            yield GaugeMetricFamily("interlayer_queue_depth", "Messages waiting in the job queue", value=figures.queue_depth)
            yield GaugeMetricFamily("interlayer_workers", "Workers whose heartbeat beacon is live", value=figures.workers)
        durations = HistogramMetricFamily("interlayer_job_duration_seconds",
                                          "Run time of jobs finished in the last 15 minutes", labels=["kind"])
        for kind, seconds in figures.durations.items():
            buckets = [(str(bound), sum(1 for value in seconds if value <= bound)) for bound in JOB_BUCKETS_S]
            durations.add_metric([kind], buckets + [("+Inf", len(seconds))], sum_value=sum(seconds))
        yield durations


class RequestMetrics:
    """ASGI middleware counting and timing requests by method, route template and status."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter("interlayer_http_requests", "HTTP requests", ["method", "route", "status"],
                                registry=registry)
        self.latency = Histogram("interlayer_http_request_duration_seconds", "HTTP request latency",
                                 ["method", "route"], buckets=REQUEST_BUCKETS_S, registry=registry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)
        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)
