from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Plans and programs")

    def ready(self):
        from planpromo.conditional import PLAN_STRUCTURE, bump_on_change, bump_version
        from programs import models
        from programs.signals import plan_structure_changed

        # The API's cached structure (planpromo.api.conditional) is refreshed on every change: a row saved or deleted
        # (the admin, a shell), and load_plan's and the admin's structure signal (which also covers bulk writes).
        bump_on_change(
            PLAN_STRUCTURE,
            models.Plan,
            models.Program,
            models.ProgramDepartment,
            models.WorkItem,
            models.WorkItemDepartment,
            models.WorkItemOffice,
            models.Target,
            models.ReportingPeriod,
            models.PeriodReopening,
        )
        plan_structure_changed.connect(
            lambda sender, **kwargs: bump_version(PLAN_STRUCTURE), weak=False, dispatch_uid="programs.structure_version"
        )
