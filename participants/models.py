from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from participants.choices import DepartmentKind, OfficeKind, Role


class DepartmentQuerySet(models.QuerySet):
    def with_aliases(self):
        return self.prefetch_related(models.Prefetch("aliases", queryset=DepartmentAlias.objects.order_by("spelling")))


class Department(models.Model):
    """A central body that a plan makes responsible for work: a SIPO department, a Patent Office department,
    or an association or affiliated body."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DepartmentKind.values), name="department_kind_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="department_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class DepartmentAlias(models.Model):
    """Another spelling under which a circular names a department, with the reason it is that department."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="aliases")
    spelling = models.CharField(_("spelling"), max_length=200, unique=True)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["spelling"]
        verbose_name = _("department alias")
        verbose_name_plural = _("department aliases")
        constraints = [models.CheckConstraint(condition=~Q(spelling=""), name="department_alias_not_empty")]

    def __str__(self):
        return f"{self.spelling} → {self.department}"


def office_order(path: str = "") -> list:
    """The one order of offices, wherever they are listed: by GB/T 2260 code, the XPCC (which has none) last.
    `path` reaches the office through a relation: `office_order("office__")` orders reports by their office."""
    return [models.F(f"{path}code").asc(nulls_last=True), f"{path}short_name"]


class ProvincialOffice(models.Model):
    """The intellectual property office of a province, autonomous region, municipality, or of the Xinjiang
    Production and Construction Corps."""

    short_name = models.CharField(_("short name"), max_length=50, unique=True)
    name = models.CharField(_("office"), max_length=200, unique=True)
    region = models.CharField(_("region"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OfficeKind.choices)
    # GB/T 2260 administrative division code; the XPCC is not an administrative division and has none.
    code = models.CharField(_("GB/T 2260 code"), max_length=6, unique=True, null=True, blank=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    short_name_zh = models.CharField(_("Chinese short name"), max_length=20)
    region_zh = models.CharField(_("Chinese region name"), max_length=50)

    class Meta:
        ordering = office_order()
        verbose_name = _("provincial office")
        verbose_name_plural = _("provincial offices")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OfficeKind.values), name="office_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind=OfficeKind.CORPS, code__isnull=True)
                | (~Q(kind=OfficeKind.CORPS) & Q(code__isnull=False) & Q(code__regex=r"^[1-9][0-9]0000$")),
                name="office_code_matches_kind",
            ),
        ]

    def __str__(self):
        return self.short_name

    @property
    def sort_key(self) -> tuple:
        """office_order() in Python, for lists assembled from several queries."""
        return (self.code is None, self.code or "", self.short_name)


class ApiToken(AbstractAuthToken):
    """A personal API token: stored as a hash (knox), named by its owner, optionally expiring."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    # Set on use, at most once per participants.api.authentication.LAST_USED_PRECISION (not a write per request).
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name or self.token_key} ({self.user})"


class Profile(models.Model):
    """Ties a user to a role and, for office reporters and department staff, to the one organisation they act
    for. Administrators also get Django's staff and superuser flags, which open the admin."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    office = models.ForeignKey(
        ProvincialOffice, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="members")

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="profile_role_valid"),
            models.CheckConstraint(
                condition=Q(role=Role.OFFICE_REPORTER, office__isnull=False, department__isnull=True)
                | Q(role=Role.DEPARTMENT_STAFF, office__isnull=True, department__isnull=False)
                | Q(role__in=[Role.ANALYST, Role.ADMINISTRATOR], office__isnull=True, department__isnull=True),
                name="profile_organisation_matches_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}{': ' + str(self.organisation) if self.organisation else ''})"

    @property
    def organisation(self):
        return self.office or self.department
