from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Progress tracking")

    def ready(self):
        from programs.signals import plan_structure_changed
        from tracking.obligations import on_plan_structure_changed

        # Obligations follow the plan structure, which lives in the app below this one.
        plan_structure_changed.connect(on_plan_structure_changed, dispatch_uid="tracking.obligations_sync")
