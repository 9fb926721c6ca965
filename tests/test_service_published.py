"""``/v1/published``: the shipped set and an owner's imports; a bad file is a 422 naming row and column and stores nothing.

The API in this process (no broker or worker: nothing here is a job), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from interlayer.service.http import create_app
from interlayer.service.settings import Settings
from interlayer.service.store.db import migrate
from interlayer.service.usecases.keys import create_key
from interlayer.surrogate.published import COLUMNS, load_published

HEADER = ",".join(COLUMNS)
MINE = (f"{HEADER}\n"
        "Li@(1ALD-1MLD)50,Li,2,1,400,shorted,90,doi:10.1000/lab.1,Fig. S15,read from figure axis (estimate)\n"
        "Li@(5ALD-5MLD)10,Li,2,1,320.5,stopped,,doi:10.1000/lab.1,Fig. S16,stated in text\n")
CSV = {"Content-Type": "text/csv"}


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request, tmp_path):
    """(an HTTP client, headers of lab A's key, headers of lab B's key) on a freshly migrated database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'published.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    settings = Settings(database_url=url, redis_url=None, requests_per_key_s=0)
    migrate(settings)
    # owners new to the database: the PostgreSQL database is shared by the session's tests
    owners = [{"Authorization": f"Bearer {create_key(settings, f'{lab}-{uuid.uuid4().hex[:8]}')}"} for lab in ("a", "b")]
    with TestClient(create_app(settings)) as http:
        yield http, *owners


def names(http, headers) -> list[str]:
    answer = http.get("/v1/published", headers=headers)
    assert answer.status_code == 200, answer.text
    return [entry["name"] for entry in answer.json()["sets"]]


def test_the_shipped_set_is_listed_with_its_cells_and_doi(api):
    http, lab_a, _ = api
    (paper,) = http.get("/v1/published", headers=lab_a).json()["sets"]
    assert paper == {"name": "paper", "builtin": True, "cell_count": 7, "references": ["doi:10.1002/adma.202301414"],
                     "created_at": None}
    cells = http.get("/v1/published/paper", headers=lab_a).json()["cells"]
    assert cells == [cell.as_row() for cell in load_published("paper")]
    assert [(c["recipe"], c["lifetime_h"], c["state"]) for c in cells if c["metal"] == "Li"] == \
        [("Li@bare", 270.0, "shorted"), ("Li@(2ALD-2MLD)25", 500.0, "stopped")]


def test_an_import_is_stored_for_its_owner_only(api):
    http, lab_a, lab_b = api
    made = http.post("/v1/published/my-lab", content=MINE, headers={**lab_a, **CSV})
    assert made.status_code == 201, made.text
    assert made.json()["cell_count"] == 2 and made.json()["references"] == ["doi:10.1000/lab.1"]
    assert made.json()["builtin"] is False and made.json()["created_at"]
    cells = http.get("/v1/published/my-lab", headers=lab_a).json()["cells"]
    assert [(c["recipe"], c["lifetime_h"], c["state"], c["overpotential_mv"]) for c in cells] == \
        [("Li@(1ALD-1MLD)50", 400.0, "shorted", 90.0), ("Li@(5ALD-5MLD)10", 320.5, "stopped", None)]
    assert names(http, lab_a) == ["paper", "my-lab"] and names(http, lab_b) == ["paper"]
    assert http.get("/v1/published/my-lab", headers=lab_b).status_code == 404
    # the same name again is refused by the database's (owner, name) constraint; another owner may use it
    again = http.post("/v1/published/my-lab", content=MINE, headers={**lab_a, **CSV})
    assert again.status_code == 409 and "exists already" in again.json()["detail"]
    assert http.post("/v1/published/my-lab", files={"file": ("mine.csv", MINE.encode())}, headers=lab_b).status_code == 201
    shipped = http.post("/v1/published/paper", content=MINE, headers={**lab_a, **CSV})
    assert shipped.status_code == 409 and "shipped with Interlayer" in shipped.json()["detail"]


def test_a_bad_file_is_a_422_naming_every_row_and_column_and_stores_nothing(api):
    http, lab_a, _ = api
    bad = MINE + ("Li@(2ALD-2MLD)25,Li,2,1,-3,shorted,,doi:x,Fig. 2d,stated\n"
                  "Li@(2ALD-2MLD)25,Li,2,1,500,alive,,,Fig. 2d,stated\n")
    refused = http.post("/v1/published/lab-b", content=bad, headers={**lab_a, **CSV})
    assert refused.status_code == 422
    assert [(item["loc"], item["msg"].split(",")[0]) for item in refused.json()["detail"]] == [
        (["body", "file", "row", 3, "lifetime_h"], "must be a positive finite number of hours"),
        (["body", "file", "row", 4, "state"], "unknown state 'alive'; a published cell is one of shorted"),
        (["body", "file", "row", 4, "reference"], "is empty: every published cell names its source"),
    ]
    header = http.post("/v1/published/lab-b", content="recipe,metal,lifetime\nLi@bare,Li,270\n", headers={**lab_a, **CSV})
    assert header.status_code == 422 and header.json()["detail"][0]["loc"] == ["body", "file", "header", "current_ma_cm2"]
    assert http.get("/v1/published/lab-b", headers=lab_a).status_code == 404
    assert names(http, lab_a) == ["paper"]


@pytest.mark.parametrize("path, body, headers, where", [
    ("/v1/published/My%20Lab", MINE, CSV, ["path", "name"]),
    ("/v1/published/lab", '{"cells": []}', {"Content-Type": "application/json"}, ["body"]),
    ("/v1/published/lab", b"\xff\xfe", CSV, ["body", "file"]),
])
def test_a_bad_name_or_body_is_a_422_naming_it(api, path, body, headers, where):
    http, lab_a, _ = api
    refused = http.post(path, content=body, headers={**lab_a, **headers})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == where
    assert names(http, lab_a) == ["paper"]


def test_the_python_client_imports_and_reads_sets_on_a_live_service(pg_client, tmp_path):
    from interlayer.service.client import ServiceError
    mine = tmp_path / "mine.csv"
    mine.write_text(MINE)
    assert pg_client.import_published("mine", mine)["cell_count"] == 2
    assert [(s["name"], s["cell_count"]) for s in pg_client.published_sets()] == [("paper", 7), ("mine", 2)]
    assert [c["lifetime_h"] for c in pg_client.published("mine")] == [400.0, 320.5]
    mine.write_text(MINE + "Li@(2ALD-2MLD)25,Li,2,1,500,alive,,doi:x,Fig. 2d,stated\n")
    with pytest.raises(ServiceError) as refused:
        pg_client.import_published("other", mine)
    assert refused.value.status == 422 and "body.file.row.3.state: unknown state 'alive'" in str(refused.value)
