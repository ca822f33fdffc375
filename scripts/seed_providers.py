"""Create the demo's training-provider accounts through the running gateway (idempotent).

`make run` calls :func:`accounts` after the services are up and passes what it returns to the
demo seed (``--reporters``), so the seeded completions are reported by these accounts. One
generated password, kept in ``var/provider_password``, signs in all three.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from services.learner.demo.providers import PROVIDERS

TIMEOUT = 10


def _call(url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def accounts(gateway: str, admin_email: str, admin_password: str, password: str) -> dict[str, str]:
    """Return each demo provider's ``reported_by`` (``provider:<account id>``), made if missing."""
    api = gateway.rstrip("/") + "/api/v1"
    status, issued = _call(f"{api}/auth/token", {"email": admin_email, "password": admin_password})
    if status != 200:
        raise RuntimeError(f"admin sign-in failed ({status}): {issued.get('detail')}")
    token = issued["access_token"]
    out: dict[str, str] = {}
    for provider in PROVIDERS:
        body = {
            "email": provider.email,
            "password": password,
            "role": "provider",
            "provider": provider.name,
        }
        status, account = _call(f"{api}/accounts", body, token)
        if status == 409:  # seeded before: find it
            query = urllib.parse.urlencode({"role": "provider", "q": provider.email})
            _, page = _call(f"{api}/accounts?{query}", token=token)
            found = [a for a in page.get("items", []) if a.get("email") == provider.email]
            if not found:
                raise RuntimeError(f"{provider.email} is taken by an account that is not theirs")
            account, status = found[0], 201
        if status != 201:
            raise RuntimeError(f"creating {provider.email} failed ({status}): {account}")
        out[provider.name] = f"provider:{account['id']}"
    return out
