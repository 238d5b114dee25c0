from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    SIPO_DEPARTMENT = "sipo_department", _("SIPO department")
    PATENT_OFFICE_DEPARTMENT = "patent_office_department", _("Patent Office department")
    AFFILIATED_BODY = "affiliated_body", _("Association or affiliated body")


class OfficeKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    AUTONOMOUS_REGION = "autonomous_region", _("Autonomous region")
    MUNICIPALITY = "municipality", _("Municipality")
    CORPS = "corps", _("Production and Construction Corps")


class Role(models.TextChoices):
    OFFICE_REPORTER = "office_reporter", _("Office reporter")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that act for one organisation, and so must name it.
ORGANISATION_ROLES = {Role.OFFICE_REPORTER, Role.DEPARTMENT_STAFF}
