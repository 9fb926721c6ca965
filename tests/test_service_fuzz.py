"""Fuzzing the live API from its own OpenAPI document (schemathesis): no request gets a 5xx, and every
response conforms to the document. Path ids are real ones most of the time, so requests reach the
handlers instead of stopping at 404; every request carries a valid key.

``INTERLAYER_FUZZ_EXAMPLES`` sets the examples per operation (default 60; the note's figure: 1,000).
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from interlayer.service.usecases.keys import create_key

EXAMPLES = int(os.environ.get("INTERLAYER_FUZZ_EXAMPLES", "60"))


@pytest.fixture(scope="module")
def live(pg_stack):
    """(the live schema, headers with a key, real ids to put in paths)."""
    key = create_key(pg_stack.settings, "fuzzer")
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=pg_stack.api.url, headers=headers, timeout=60) as http:
        campaign = http.post("/v1/campaigns", json={"name": "fuzzed", "metal": "Na",
                                                    "space": {"max_ald_cycles": 3, "max_mld_cycles": 3,
                                                              "max_supercycles": 20}}).json()
        cells = http.post(f"/v1/campaigns/{campaign['id']}/measurements",
                          json=[{"recipe": "(1ALD-1MLD)10", "lifetime_h": 50, "censored": True, "cell_id": "f1"}]).json()
        # a tester's file of that cell (issue 27), so that the file routes reach a real file too
        trace = (Path(__file__).parent / "data" / "cyclers" / "nw_regular_export_ife_example.csv").read_bytes()
        uploaded = http.post(f"/v1/campaigns/{campaign['id']}/measurements/{cells['measurements'][0]['id']}/files",
                             files={"file": ("cell.csv", trace)}, data={"area_cm2": "1.13"}).json()
    ids = {"campaign_id": campaign["id"], "job_id": cells["job"]["id"],
           "measurement_id": cells["measurements"][0]["id"], "file_id": uploaded["file"]["id"],
           "name": "paper"}  # name: the shipped published set
    schema = schemathesis.openapi.from_url(f"{pg_stack.api.url}/openapi.json")
    return schema, headers, ids


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def test_no_request_gets_a_server_error_and_every_response_conforms(live):
    schema, headers, ids = live
    calls: dict[str, int] = {}
    for operation in operations(schema):
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            for name in list(case.path_parameters or {}):
                # three in four requests name a real object
                if name in ids and hash(repr(case.body)) % 4:
                    case.path_parameters[name] = ids[name]
            response = case.call(headers=headers)
            calls[operation.label] = calls.get(operation.label, 0) + 1
            assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
            case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])
        fuzz()
    print("requests per operation:", calls)
    v1 = {label: count for label, count in calls.items() if " /v1/" in label}
    assert len(v1) >= 12 and min(v1.values()) >= min(EXAMPLES, 10), calls
