"""The one JSON API, `/api/v1/` (OpenAPI at `/api/v1/openapi.json`, docs at `/api/v1/docs`).

Each app contributes a router; authentication is the browser session (and, for source systems,
bearer API keys added by the ingest app). Errors are `UserError`s rendered in both languages.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from dieuhanh.audit.api import router as audit_router
from dieuhanh.core.errors import NotFound, PermissionDenied, UserError
from dieuhanh.indicators.api import router as indicators_router
from dieuhanh.ingest.api import lake_router
from dieuhanh.ingest.api import router as ingest_router
from dieuhanh.orgunits.api import router as units_router
from dieuhanh.registry.api import router as registry_router
from dieuhanh.reporting.api import router as reports_router
from dieuhanh.steering.api import router as tasks_router

api = NinjaAPI(
    title="dieuhanh API",
    version="1",
    description="Trung tâm giám sát, điều hành thông minh — API / Intelligent operations centre API",
    urls_namespace="api_v1",
    auth=django_auth,
)
api.add_router("/units", units_router, tags=["units"])
api.add_router("/audit", audit_router, tags=["audit"])
api.add_router("/tasks", tasks_router, tags=["tasks"])
api.add_router("/ingest", ingest_router, tags=["ingest"])
api.add_router("/lake", lake_router, tags=["ingest"])
api.add_router("/indicators", indicators_router, tags=["indicators"])
api.add_router("/registry", registry_router, tags=["registry"])
api.add_router("/reports", reports_router, tags=["reports"])


@api.exception_handler(UserError)
def _user_error(request: HttpRequest, exc: UserError) -> HttpResponse:
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied) else 400
    return api.create_response(request, {"error": exc.as_dict()}, status=status)
