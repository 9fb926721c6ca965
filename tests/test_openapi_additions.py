"""The OpenAPI document changes by additions only (issue 23): against the document of commit 764db46
(``tests/data/openapi_764db46.json``), no path, method, parameter, request body or response status is
gone or different; a request body may gain optional fields; a response whose schema was empty (anything)
may only have gained one.

References are resolved before comparing and schema titles are left out: a component renamed with the
same content (``Condition`` -> ``ConditionIn``) describes the same JSON. ``python tests/test_openapi_additions.py``
prints what was added and renamed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from interlayer.service.http.app import create_app
from interlayer.service.settings import Settings

BASELINE = Path(__file__).with_name("data") / "openapi_764db46.json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# A response schema that said nothing (any JSON, or any object): a schema in its place is an addition.
OPEN_SCHEMAS = (None, {}, {"type": "object", "additionalProperties": True})


def resolved(node: Any, components: dict[str, Any]) -> Any:
    """``node`` with every ``$ref`` to a component schema inlined and every ``title`` dropped."""
    if isinstance(node, dict):
        if "$ref" in node:
            return resolved(components[node["$ref"].rsplit("/", 1)[-1]], components)
        return {key: resolved(value, components) for key, value in node.items() if key != "title"}
    if isinstance(node, list):
        return [resolved(value, components) for value in node]
    return node


def operations(document: dict) -> dict[tuple[str, str], dict]:
    components = document.get("components", {}).get("schemas", {})
    return {(path, method): resolved(operation, components)
            for path, item in document["paths"].items() for method, operation in item.items() if method in METHODS}


def only_gains(old: Any, new: Any) -> bool:
    """Whether ``new`` describes what ``old`` did: equal, but for object schemas that gained optional
    properties and descriptions said in other words (what a client of ``old`` sends stays valid)."""
    if isinstance(old, dict) and isinstance(new, dict):
        old_required, new_required = old.get("required", []), new.get("required", [])
        if isinstance(old_required, list) and isinstance(new_required, list) and set(new_required) - set(old_required):
            return False
        for key, value in old.items():
            if key == "description" or (key == "required" and isinstance(value, list)):
                continue
            if key not in new:
                return False
            if key == "properties":
                if any(name not in new[key] or not only_gains(schema, new[key][name]) for name, schema in value.items()):
                    return False
            elif not only_gains(value, new[key]):
                return False
        return True
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(only_gains(a, b) for a, b in zip(old, new))
    return old == new


def removals_and_changes(before: dict, after: dict) -> list[str]:
    """What a client of ``before`` would find gone or different in ``after``."""
    problems = []
    now = operations(after)
    for (path, method), old in operations(before).items():
        where = f"{method.upper()} {path}"
        new = now.get((path, method))
        if new is None:
            problems.append(f"{where}: removed")
            continue
        old_parameters = {(p["in"], p["name"]): p for p in old.get("parameters", [])}
        new_parameters = {(p["in"], p["name"]): p for p in new.get("parameters", [])}
        for name, parameter in old_parameters.items():
            if name not in new_parameters or not only_gains(parameter, new_parameters[name]):
                problems.append(f"{where}: parameter {name} removed or changed")
        for name in set(new_parameters) - set(old_parameters):
            if new_parameters[name].get("required"):
                problems.append(f"{where}: new required parameter {name}")
        if not only_gains(old.get("requestBody"), new.get("requestBody")):
            problems.append(f"{where}: request body changed")
        for status, response in old.get("responses", {}).items():
            if status not in new.get("responses", {}):
                problems.append(f"{where}: response {status} removed")
                continue
            for media, content in response.get("content", {}).items():
                kept = new["responses"][status].get("content", {}).get(media)
                if kept is None or (content.get("schema") not in OPEN_SCHEMAS and kept.get("schema") != content.get("schema")):
                    problems.append(f"{where}: response {status} {media} changed")
    return problems


def additions(before: dict, after: dict) -> list[str]:
    """The response schemas and responses ``after`` has beyond ``before``, and the components renamed."""
    out = []
    old_operations, new_operations = operations(before), operations(after)
    for (path, method), new in sorted(new_operations.items()):
        old = old_operations.get((path, method), {})
        for status, response in new.get("responses", {}).items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            old_schema = old.get("responses", {}).get(status, {}).get("content", {}).get("application/json", {}).get("schema")
            if old_schema is not None and old_schema.get("type") == "object" and old_schema.get("additionalProperties") is True \
                    and "properties" not in old_schema:
                old_schema = {"type": "object", "additionalProperties": True}
            if schema not in OPEN_SCHEMAS and old_schema in OPEN_SCHEMAS:
                raw = after["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
                out.append(f"{method.upper()} {path} {status}: {raw.get('$ref', raw).rsplit('/', 1)[-1] if '$ref' in raw else raw}")
    old_names, new_names = set(before["components"]["schemas"]), set(after["components"]["schemas"])
    old_components = {name: resolved(before["components"]["schemas"][name], before["components"]["schemas"])
                      for name in old_names - new_names}
    for name in sorted(new_names - old_names):
        schema = resolved(after["components"]["schemas"][name], after["components"]["schemas"])
        renamed = [old for old, content in old_components.items() if content == schema]
        out.append(f"component {name}" + (f" (renamed from {renamed[0]}, same schema)" if renamed else ""))
    return out


def current_document(tmp_dir: Path) -> dict:
    return create_app(Settings(database_url=f"sqlite:///{tmp_dir}/openapi.db")).openapi()


def test_the_openapi_document_changes_by_additions_only(tmp_path):
    before, after = json.loads(BASELINE.read_text()), current_document(tmp_path)
    assert removals_and_changes(before, after) == []
    # every /v1 operation now documents what it answers
    for (path, method), operation in operations(after).items():
        if path.startswith("/v1/"):
            success = [s for s in operation["responses"] if s.startswith("2")]
            assert any(operation["responses"][s].get("content", {}).get("application/json", {}).get("schema")
                       for s in success), f"{method} {path}"


def test_the_check_finds_a_removed_parameter_and_a_changed_body(tmp_path):
    before = json.loads(BASELINE.read_text())
    after = json.loads(BASELINE.read_text())
    after["paths"]["/v1/campaigns/{campaign_id}/proposals"]["get"]["parameters"] = [
        p for p in after["paths"]["/v1/campaigns/{campaign_id}/proposals"]["get"]["parameters"] if p["name"] != "status"]
    after["components"]["schemas"]["ProposalsIn"]["properties"]["count"]["maximum"] = 65
    # a new optional field is an addition; a new required one is a change
    after["components"]["schemas"]["CampaignIn"]["properties"]["note"] = {"type": "string"}
    after["components"]["schemas"]["MeasurementPatch"]["properties"]["note"] = {"type": "string"}
    after["components"]["schemas"]["MeasurementPatch"].setdefault("required", []).append("note")
    assert sorted(removals_and_changes(before, after)) == [
        "GET /v1/campaigns/{campaign_id}/proposals: parameter ('query', 'status') removed or changed",
        "PATCH /v1/campaigns/{campaign_id}/measurements/{measurement_id}: request body changed",
        "POST /v1/campaigns/{campaign_id}/proposals: request body changed"]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        before, after = json.loads(BASELINE.read_text()), current_document(Path(folder))
    print("removed or changed:", removals_and_changes(before, after) or "none")
    print("added:")
    for line in additions(before, after):
        print("  " + line)
