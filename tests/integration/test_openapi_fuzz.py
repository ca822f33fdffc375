"""schemathesis over each service's own OpenAPI document: no input produces a 5xx."""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from services.common.identity import signer_for
from services.matcher.esco.taxonomy import TaxonomySource, import_taxonomy

FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


# Built at import: schemathesis collects one test per operation from the schema, so the apps
# (each on its own throwaway embedded store) must exist before collection.
_TMP = Path(tempfile.mkdtemp(prefix="qabilet-fuzz-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


class AsGateway:
    """A WSGI wrapper that sends each request with the gateway's caller token, as in production."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.signer = signer_for(app.config["SETTINGS"], "gateway")
        self.service = app.config["SETTINGS"].service

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["HTTP_AUTHORIZATION"] = self.signer.headers(self.service)["Authorization"]
        return self.app(environ, start_response)


def _app(module: str, **overrides: object) -> Any:
    app_module = importlib.import_module(f"services.{module}.app")
    settings_module = importlib.import_module(f"services.{module}.settings")
    cfg = settings_module.Settings.from_env(
        env={}, data_dir=_TMP / module, testing=True, **overrides
    )
    return AsGateway(app_module.create_app(cfg))


def _matcher_app() -> Any:
    app = _app("matcher", embedder="fake")  # the taxonomy import below needs its store
    esco = Path(os.environ.get("QABILET_SHARED_DATA", "../shared/data")) / "esco"
    # A real slice of ESCO (software occupations and their skills), so the taxonomy routes work.
    source = TaxonomySource.from_dir(
        esco, occupation_filter=lambda o: o.isco_group.startswith("2512"), max_skills=200
    )
    import_taxonomy(source)
    return app


learner_schema = schemathesis.openapi.from_wsgi("/openapi.json", _app("learner"))
jobs_schema = schemathesis.openapi.from_wsgi("/openapi.json", _app("jobs"))
matcher_schema = schemathesis.openapi.from_wsgi("/openapi.json", _matcher_app())


def _no_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"
    assert response.status_code != 401, "the fuzzer must get past the caller check"


@learner_schema.parametrize()
@FUZZ
def test_learner_api_never_answers_5xx(case: schemathesis.Case) -> None:
    _no_server_error(case)


@jobs_schema.parametrize()
@FUZZ
def test_jobs_api_never_answers_5xx(case: schemathesis.Case) -> None:
    _no_server_error(case)


@matcher_schema.parametrize()
@FUZZ
def test_matcher_api_never_answers_5xx(case: schemathesis.Case) -> None:
    _no_server_error(case)
