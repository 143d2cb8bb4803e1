from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health and readiness checks, Prometheus metrics."""

    name = "ops"
    verbose_name = "Operations"
