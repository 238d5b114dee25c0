from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficeScope(models.TextChoices):
    ALL = "all", _("All provincial offices")
    LISTED = "listed", _("Listed offices")
    CONDITIONAL = "conditional", _("Offices meeting a condition")
    NONE = "none", _("No provincial office")


# Scopes whose participating offices are rows of WorkItemOffice (named by the circular, or confirmed by staff).
SCOPES_WITH_OFFICE_ROWS = (OfficeScope.LISTED, OfficeScope.CONDITIONAL)


class TeamRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTICIPANT = "participant", _("Participant")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
