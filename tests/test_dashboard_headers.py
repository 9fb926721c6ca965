"""Every answer of the service carries the security headers a browser expects, and every page's scripts are
the service's own files: the Content-Security-Policy (script-src 'self') would refuse anything else."""

from __future__ import annotations

import re

import httpx
from conftest import make_client

from interlayer.service.http.security_headers import CONTENT_SECURITY_POLICY
from interlayer.service.usecases.keys import create_key

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def sign_in(http: httpx.Client, key: str) -> None:
    form = http.get("/signin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert http.post("/signin", data={"api_key": key, "csrf_token": token, "next": "/campaigns"}).status_code == 303


def test_every_page_and_answer_carries_the_security_headers(pg_stack):
    key = create_key(pg_stack.settings, "headers-lab")
    with make_client(pg_stack, "headers-lab") as client:
        campaign = client.create_campaign("headers", "Na", physics="none",
                                          space={"max_ald_cycles": 3, "max_mld_cycles": 3, "max_supercycles": 30})
        job = client.wait(client.propose(campaign["id"], 2))
    pages = ["/signin", "/campaigns", "/campaigns/new", f"/campaigns/{campaign['id']}", f"/jobs/{job['id']}",
             "/campaigns/cmp_nothing_here"]
    others = ["/static/app.js", "/static/style.css", "/static/plotly-cartesian.min.js", "/v1/campaigns", "/healthz",
              "/openapi.json", "/"]
    with httpx.Client(base_url=pg_stack.api.url, timeout=60) as http:
        sign_in(http, key)
        for path in pages + others:
            response = http.get(path, headers={"Authorization": f"Bearer {key}"} if path.startswith("/v1") else {})
            assert response.status_code in (200, 303, 404), (path, response.status_code)
            headers = response.headers
            assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert "script-src 'self';" in headers["content-security-policy"]
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["referrer-policy"] == "same-origin", path
            if path in pages:
                assert response.headers["content-type"].startswith("text/html"), path
                # each script is a file of this site, or data that no browser runs (the figures' JSON)
                for attributes in SCRIPT.findall(response.text):
                    assert re.search(r'src="/static/[\w.-]+\.js"', attributes) or 'type="application/json"' in attributes, \
                        (path, attributes)
                # and no inline event handler (onclick=...), which the policy would refuse as well
                assert INLINE_HANDLER.search(response.text) is None, path
        # the API's own docs pull Swagger UI from a CDN: every header but the policy
        docs = http.get("/docs")
        assert docs.headers["x-content-type-options"] == "nosniff" and "content-security-policy" not in docs.headers
