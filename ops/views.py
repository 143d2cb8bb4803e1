"""Liveness, readiness and metrics endpoints.

``OpsMiddleware`` (first in MIDDLEWARE) answers these paths before host validation, sessions
or anything that touches the database: probes call by pod or container address, and
liveness must answer at once whatever state the dependencies are in.
"""

from django.http import HttpResponse, JsonResponse

from ops import health


def live(request):
    """The process is up and serving: no database, broker, storage or models involved."""
    return JsonResponse({"status": "alive"})


def ready(request):
    """Each check with its detail for clients allowed to read metrics; others (any probe)
    get the status and the names of failed checks, not host names or error texts."""
    from ops.metrics import refusal

    require_workers = request.GET.get("workers") in {"1", "true", "yes"}
    results = health.run_checks()
    body = health.report(results, require_workers=require_workers)
    if refusal(request):
        body["checks"] = {name: {"ok": check["ok"]} for name, check in body["checks"].items()}
    return JsonResponse(body, status=200 if body["status"] == "ready" else 503)


def metrics(request):
    from ops import metrics as ops_metrics

    refusal = ops_metrics.refusal(request)
    if refusal:
        return HttpResponse(refusal, status=403, content_type="text/plain")
    body, content_type = ops_metrics.render()
    return HttpResponse(body, content_type=content_type)


ROUTES = {
    "/health/live": live,
    "/health/live/": live,
    "/health/ready": ready,
    "/health/ready/": ready,
    "/metrics": metrics,
    "/metrics/": metrics,
}


class OpsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = ROUTES.get(request.path_info)
        if view is not None and request.method in {"GET", "HEAD"}:
            return view(request)
        return self.get_response(request)
