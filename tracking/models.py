"""Progress reports on the work items of a plan, their target values and evidence."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from participants.models import Department, ProvincialOffice
from programs.models import ReportingPeriod, Target, WorkItem
from tracking.choices import (
    OPEN_STATES,
    PUBLISHED_STATES,
    RECEIVED_STATES,
    NotificationKind,
    ReminderKind,
    ReportState,
    ReportStatus,
)


class BulkWriteRefused(Exception):
    """Raised by bulk writes on audited models, which would bypass the audit trail."""


class AuditedQuerySet(models.QuerySet):
    """A queryset whose bulk writes are refused: the history library sees only saves through the ORM, so a
    bulk `update()` would change reports without a trace."""

    def update(self, **kwargs):
        raise BulkWriteRefused(f"{self.model.__name__}: bulk update() bypasses the audit trail; save each object")

    def bulk_update(self, objs, fields, batch_size=None):
        raise BulkWriteRefused(f"{self.model.__name__}: bulk_update() bypasses the audit trail; save each object")


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

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def for_plan_year(self, year):
        return self.filter(period__plan__year=year)

    def overdue(self, today):
        """Reports not yet submitted whose period is past due."""
        return self.open().filter(period__due__lt=today)


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

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

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
        return self.filter(report__state__in=RECEIVED_STATES)

    def outstanding(self):
        """Not met yet: no report, or a draft, or a returned report."""
        return self.exclude(report__state__in=RECEIVED_STATES)

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


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user about an event: a report returned, submitted or accepted, a deadline approaching, an
    obligation overdue, the weekly digest. `key` names the event (the report's transition, the reminder round):
    the unique constraint makes sure nobody is told twice of the same one. The text is rendered from `params` in
    the reader's language (tracking.notifications.render), with a link to the page that acts on it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    key = models.CharField(_("event"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event"),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()} · {self.key}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def default_email_kinds():
    return list(NotificationKind.values)


class NotificationPreference(models.Model):
    """A user's choices: which kinds of notification also come by e-mail (the others only in the app), and the
    language of their messages. A user without a row gets every kind by e-mail, in the site's default language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    email_kinds = models.JSONField(_("kinds sent by e-mail"), default=default_email_kinds, blank=True)

    class Meta:
        ordering = ["user"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="notification_preference_language_valid",
            )
        ]

    def __str__(self):
        return str(self.user)


class ObligationReminder(models.Model):
    """A reminder sent about an obligation: the deadline approaching (round 0), or overdue (round n: the n-th
    week overdue, counted from 0). The unique constraint makes `send_reminders` idempotent."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    sent_on = models.DateField(_("sent on"))

    class Meta:
        ordering = ["obligation", "kind", "round"]
        verbose_name = _("obligation reminder")
        verbose_name_plural = _("obligation reminders")
        constraints = [
            models.UniqueConstraint(fields=["obligation", "kind", "round"], name="obligation_reminder_once"),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="obligation_reminder_kind_valid"),
        ]

    def __str__(self):
        return f"{self.obligation} · {self.get_kind_display()} {self.round}"
