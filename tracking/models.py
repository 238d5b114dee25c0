"""Progress reports on the work items of a plan, their target values and evidence."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from participants.models import Department, ProvincialOffice
from planpromo.querysets import AuditedQuerySet
from programs.models import ReportingPeriod, Target, WorkItem
from tracking.choices import (
    PUBLISHED_STATES,
    ReportState,
    ReportStatus,
)


class ReportQuerySet(AuditedQuerySet):
    def with_details(self):
        """Reports with what their list and detail show, in a constant number of queries."""
        return self.select_related(
            "work_item__program__plan", "period__plan", "office", "department", "submitted_by", "reviewed_by"
        ).prefetch_related(
            models.Prefetch(
                "target_values", queryset=TargetValue.objects.select_related("target").order_by("target__position")
            ),
            models.Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")),
        )

    def published(self):
        return self.filter(state__in=PUBLISHED_STATES)


class Report(models.Model):
    """A status report on one work item, from one reporting organisation (a provincial office or a central
    department, exactly one), for one reporting period. It moves draft → submitted → accepted, or returned with
    the reviewer's comment and then resubmitted. `version` grows with every change, for optimistic locking."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports")
    office = models.ForeignKey(
        ProvincialOffice, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="reports")

    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED
    )
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # What the reporting organisation writes, in the order the form, the API and the spreadsheet show it: the one
    # list the form (tracking.forms.ReportForm), the write serializer and the services are built from.
    EDITABLE_FIELDS = ("status", "percent_complete", "summary", "achievements", "problems", "next_steps")
    # What the workflow records (tracking.services), shown read-only by the admin and the API.
    WORKFLOW_FIELDS = (
        "state",
        "submitted_by",
        "submitted_at",
        "first_submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "version",
    )

    summary = models.TextField(_("summary"))
    achievements = models.TextField(_("achievements"), blank=True)
    problems = models.TextField(_("problems and risks"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)

    state = models.CharField(_("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The first submission, kept through returns and resubmissions: timeliness is judged by it.
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["period", "state"], name="report_period_state_idx"),
            models.Index(fields=["work_item", "period"], name="report_item_period_idx"),
            models.Index(fields=["office", "period"], name="report_office_period_idx"),
            models.Index(fields=["department", "period"], name="report_department_period_idx"),
            models.Index(fields=["status", "period"], name="report_status_period_idx"),
            models.Index(fields=["state", "period"], name="report_state_period_idx"),
            models.Index(fields=["submitted_at"], name="report_submitted_at_idx"),
            models.Index(fields=["-updated_at", "-id"], name="report_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(office__isnull=False, department__isnull=True)
                | Q(office__isnull=True, department__isnull=False),
                name="report_exactly_one_organisation",
            ),
            models.UniqueConstraint(
                fields=["work_item", "period", "office"],
                condition=Q(office__isnull=False),
                name="report_unique_per_office",
                violation_error_message=_("This office already has a report on this work item for this period."),
            ),
            models.UniqueConstraint(
                fields=["work_item", "period", "department"],
                condition=Q(department__isnull=False),
                name="report_unique_per_department",
                violation_error_message=_("This department already has a report on this work item for this period."),
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0, percent_complete__lte=100), name="report_percent_0_100"
            ),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(condition=Q(state__in=ReportState.values), name="report_state_valid"),
            models.CheckConstraint(condition=~Q(summary=""), name="report_summary_required"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.COMPLETED) | Q(percent_complete=100),
                name="report_completed_is_100",
                violation_error_message=_("A completed work item is 100 percent complete."),
            ),
            models.CheckConstraint(
                condition=Q(state=ReportState.DRAFT) | Q(submitted_at__isnull=False),
                name="report_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(first_submitted_at__isnull=False, first_submitted_at__lte=models.F("submitted_at")),
                name="report_first_submission_first",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[ReportState.ACCEPTED, ReportState.RETURNED]) | Q(reviewed_at__isnull=False),
                name="report_reviewed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReportState.RETURNED) | ~Q(review_comment=""),
                name="report_returned_has_comment",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
        ]

    def __str__(self):
        return f"{self.work_item.code} · {self.organisation} · {self.period}"

    @property
    def organisation(self):
        return self.office or self.department

    def clean(self):
        errors = {}
        if self.status == ReportStatus.COMPLETED and self.percent_complete != 100:
            errors["percent_complete"] = _("A completed work item is 100 percent complete.")
        if self.period_id and self.work_item_id and self.period.plan_id != self.work_item.program.plan_id:
            errors["period"] = _("The period belongs to another plan than the work item.")
        if (self.office_id is None) == (self.department_id is None):
            errors["__all__"] = _("A report comes from exactly one organisation: an office or a department.")
        if errors:
            raise ValidationError(errors)


class TargetValue(models.Model):
    """What a report says has been achieved against one of its work item's targets ("enterprises fostered: 12")."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="target_values")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="values")
    value = models.PositiveIntegerField(_("value"))

    history = HistoricalRecords()
    objects = AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["report", "target__position"]
        verbose_name = _("target value")
        verbose_name_plural = _("target values")
        constraints = [models.UniqueConstraint(fields=["report", "target"], name="target_value_unique_per_report")]

    def __str__(self):
        return f"{self.target.description}: {self.value}"


def attachment_path(instance, filename):
    # Stored under a random name: the client's file name is kept only as metadata, never as a path.
    return f"attachments/{instance.report_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class Attachment(models.Model):
    """Evidence attached to a report. Stored outside the static path and served only through a view that checks
    the reader's rights."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty")]

    def __str__(self):
        return self.name


class VersionsRelation(models.ForeignObject):
    """A join from a row to every stored version of the object it references (its historical model's rows with the
    same `id`): many rows, so it is only ever read through a FilteredRelation whose condition keeps one version
    (tracking.asof: the latest before a date). The historical model's `id` is not unique by design, hence no check
    for a unique target; no column: the join reads the referencing foreign key."""

    def _check_unique_target(self):
        return []


class ObligationQuerySet(models.QuerySet):
    def of_organisation(self, organisation):
        """The obligations of an office or a department."""
        if isinstance(organisation, ProvincialOffice):
            return self.filter(office=organisation)
        return self.filter(department=organisation)

    def received(self):
        """Met: the report is submitted or accepted."""
        return self.filter(report__state__in=PUBLISHED_STATES)

    def outstanding(self):
        """Not met yet: no report, or a draft, or a returned report."""
        return self.exclude(report__state__in=PUBLISHED_STATES)

    def overdue(self, today):
        return self.outstanding().filter(due__lt=today)


class Obligation(models.Model):
    """A report that must be written: one work item, one reporting organisation (a participating provincial office
    or a responsible department, exactly one), one period, with the period's due date, and the report once one
    exists. The one definition of who must report what, by when: tracking.obligations keeps it in step with the
    plan, and every page, statistic and export that asks who must report reads it."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="obligations")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="obligations")
    office = models.ForeignKey(
        ProvincialOffice, on_delete=models.CASCADE, null=True, blank=True, related_name="obligations"
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="obligations"
    )
    # The period's due date, copied so that "due before", "overdue" and the to-do can use an index.
    due = models.DateField(_("due"))
    report = models.OneToOneField(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="obligation")
    # Every version of the report (tracking.HistoricalReport): the plan as it stood on a date (tracking.asof).
    report_versions = VersionsRelation(
        "tracking.HistoricalReport",
        from_fields=["report"],
        to_fields=["id"],
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        editable=False,
        serialize=False,  # no column, many rows: not an obligation's data (dumps and backups skip it)
    )

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due", "work_item", "office", "department"]
        verbose_name = _("reporting obligation")
        verbose_name_plural = _("reporting obligations")
        indexes = [
            models.Index(fields=["period", "office"], name="obligation_period_office_idx"),
            models.Index(fields=["period", "department"], name="obligation_period_dept_idx"),
            models.Index(fields=["office", "due"], name="obligation_office_due_idx"),
            models.Index(fields=["department", "due"], name="obligation_department_due_idx"),
            models.Index(fields=["due"], name="obligation_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(office__isnull=False, department__isnull=True)
                | Q(office__isnull=True, department__isnull=False),
                name="obligation_exactly_one_organisation",
            ),
            models.UniqueConstraint(
                fields=["work_item", "office", "period"],
                condition=Q(office__isnull=False),
                name="obligation_unique_per_office",
            ),
            models.UniqueConstraint(
                fields=["work_item", "department", "period"],
                condition=Q(department__isnull=False),
                name="obligation_unique_per_department",
            ),
        ]

    def __str__(self):
        return f"{self.work_item.code} · {self.organisation} · {self.period}"

    @property
    def organisation(self):
        return self.office or self.department


# The notifications' models live in their own module; Django finds them here, and migrations name them here.
from tracking.notification_models import (  # noqa: E402
    Notification,
    NotificationPreference,
    NotificationQuerySet,
    ObligationReminder,
    default_email_kinds,
)

__all__ = [
    "Attachment",
    "Notification",
    "NotificationPreference",
    "NotificationQuerySet",
    "Obligation",
    "ObligationReminder",
    "Report",
    "TargetValue",
    "default_email_kinds",
]
