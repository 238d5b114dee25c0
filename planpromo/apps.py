from django.apps import AppConfig


class PlanpromoConfig(AppConfig):
    """What the apps share; its ready() connects the audit log's and the lock-out's signal receivers."""

    name = "planpromo"
    verbose_name = "planpromo"

    def ready(self):
        from planpromo import audit, middleware  # noqa: F401  (connect their signal receivers)
