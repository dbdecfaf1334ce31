"""Property-based requests from /openapi.json (schemathesis): no 5xx on any generated request."""

from __future__ import annotations

import schemathesis
from hypothesis import settings

from endolab.web import Settings, create_app

# Small bounds so a generated /trial/simulate request stays quick.
app = create_app(Settings(max_simulate_participants=1, max_simulate_days=3, max_zip_entries=20))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=25)
def test_no_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, (response.status_code, response.text[:500])
