"""HTTP API: /health (liveness), /ready (readiness), /api/hello; metrics on METRICS_PORT."""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from .config import Settings
from .logging_setup import configure_logging
from .metrics import Metrics
from .readiness import Check, dependency_checks, run_checks

log = logging.getLogger("app")
QUIET_ROUTES = {"/health", "/ready"}


def create_app(
    settings: Settings | None = None,
    checks: list[Check] | None = None,
    serve_metrics: bool = True,
) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.service_name)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if serve_metrics:
            metrics.serve(settings.metrics_port)
        log.info(
            "listening",
            extra={"port": settings.port, "metricsPort": settings.metrics_port, "environment": settings.environment},
        )
        yield
        # uvicorn received SIGTERM and finished in-flight requests
        app.state.draining = True
        metrics.close()
        log.info("stopped")

    app = FastAPI(title=settings.service_name, lifespan=lifespan, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.checks = checks if checks is not None else dependency_checks(settings)
    app.state.draining = False

    @app.middleware("http")
    async def observe(request: Request, call_next):
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            labels = {"method": request.method, "route": path, "status": str(status)}
            metrics.requests.labels(**labels).inc()
            metrics.duration.labels(**labels).observe(elapsed)
            if path not in QUIET_ROUTES:
                log.info("request", extra={**labels, "path": request.url.path, "durationMs": round(elapsed * 1000)})

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        if app.state.draining:
            return JSONResponse({"ready": False, "reason": "shutting down"}, status_code=503)
        result = await run_checks(app.state.checks)
        if not result["ready"]:
            log.warning("not ready", extra={"checks": result["checks"]})
        return JSONResponse(result, status_code=200 if result["ready"] else 503)

    @app.get("/api/hello")
    async def hello() -> dict:
        return {"service": settings.service_name, "message": "hello"}

    if settings.static_dir.is_dir():
        # the built frontend (full-stack services)
        app.mount("/", StaticFiles(directory=settings.static_dir, html=True), name="frontend")
    else:

        @app.get("/")
        async def root() -> dict:
            return {"service": settings.service_name, "message": "hello"}

    return app


app = create_app()
