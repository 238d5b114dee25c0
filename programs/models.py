import datetime

import roman
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from participants.models import Department, ProvincialOffice, office_order
from programs.choices import OfficeScope, PeriodKind, TeamRole


class PlanQuerySet(models.QuerySet):
    def current(self):
        """The plan of the latest year: the one pages show by default."""
        return self.order_by("-year").first()


class Plan(models.Model):
    """One year's Promotional Plan for the National Patent Development Strategy, as issued by circular."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    circular_title = models.CharField(_("circular title"), max_length=300, blank=True)
    document_number = models.CharField(_("document number"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    strategy = models.CharField(_("strategy promoted"), max_length=300)
    addressees = models.TextField(_("addressees"), blank=True)
    preamble = models.TextField(_("preamble"), blank=True)
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder lead time (days)"),
        default=7,
        help_text=_("How many days before a due date the organisations that still owe a report are reminded."),
    )
    close_after_days = models.PositiveSmallIntegerField(
        _("periods close after (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days after its due date when a period closes to offices and departments. Empty: periods never close."
        ),
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="plan_year_plausible"),
            models.CheckConstraint(condition=~Q(title=""), name="plan_title_not_empty"),
            models.CheckConstraint(condition=Q(reminder_days__lte=90), name="plan_reminder_days_at_most_90"),
        ]

    def __str__(self):
        return self.title


class ReportingPeriodQuerySet(models.QuerySet):
    def containing(self, day):
        return self.filter(start__lte=day, end__gte=day)

    def current_quarter(self, plan, today):
        """The quarter of `plan` that contains `today`, else its last quarter due before today, else its first."""
        quarters = self.filter(plan=plan, kind=PeriodKind.QUARTER).order_by("start")
        return (
            quarters.containing(today).first()
            or quarters.filter(end__lt=today).order_by("-end").first()
            or quarters.first()
        )

    def with_reopening(self, today):
        """Periods with `reopened_until`: the latest end of a reopening for everyone still in force on `today`
        (None when there is none). With ReportingPeriod.closes_on, what says whether a period is locked."""
        reopenings = PeriodReopening.objects.filter(
            period=OuterRef("pk"), office__isnull=True, department__isnull=True, until__gte=today
        ).order_by("-until")
        return self.annotate(reopened_until=models.Subquery(reopenings.values("until")[:1]))


class ReportingPeriod(models.Model):
    """A period of a plan year on which participants report: a quarter, or the year as a whole."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(_("label"), max_length=20)
    kind = models.CharField(_("kind"), max_length=16, choices=PeriodKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    due = models.DateField(_("due"))
    close_after_days = models.PositiveSmallIntegerField(
        _("closes after (days)"),
        null=True,
        blank=True,
        help_text=_("Days after the due date when this period closes; empty: the plan's setting."),
    )

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["plan__year", "kind", "start"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        indexes = [models.Index(fields=["due"], name="period_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "label"], name="period_label_unique_in_plan"),
            models.UniqueConstraint(fields=["plan", "kind", "start"], name="period_start_unique_in_plan"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_end_after_start"),
            models.CheckConstraint(condition=Q(due__gte=models.F("end")), name="period_due_after_end"),
            models.CheckConstraint(condition=Q(kind__in=PeriodKind.values), name="period_kind_valid"),
        ]

    def __str__(self):
        return self.label

    @property
    def closes_on(self) -> datetime.date | None:
        """The last day offices and departments may write for this period (its own setting, else its plan's);
        None when it never closes."""
        days = self.close_after_days if self.close_after_days is not None else self.plan.close_after_days
        return None if days is None else self.due + datetime.timedelta(days=days)

    def is_closed(self, today: datetime.date) -> bool:
        """Past its closing day (reopenings aside: tracking.locks decides who may still write)."""
        closes_on = self.closes_on
        return closes_on is not None and today > closes_on


class PeriodReopening(models.Model):
    """A closed period opened again by an administrator until a date, for everyone or for one organisation (an
    office or a department), with the reason. Kept with its history: reopenings are audited."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reopenings")
    office = models.ForeignKey(
        ProvincialOffice, on_delete=models.CASCADE, null=True, blank=True, related_name="period_reopenings"
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="period_reopenings"
    )
    until = models.DateField(_("open until"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "-until", "pk"]
        verbose_name = _("period reopening")
        verbose_name_plural = _("period reopenings")
        indexes = [models.Index(fields=["period", "until"], name="reopening_period_until_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(office__isnull=True) | Q(department__isnull=True), name="reopening_at_most_one_organisation"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="reopening_reason_required"),
        ]

    def __str__(self):
        who = self.office or self.department or _("everyone")
        return f"{self.period} · {who} · {self.until}"

    @property
    def organisation(self):
        return self.office or self.department


class ProgramQuerySet(models.QuerySet):
    def with_team(self):
        """Programs with their plan and their team (lead and participant departments, in circular order)."""
        return self.select_related("plan").prefetch_related(
            models.Prefetch(
                "team_memberships",
                queryset=ProgramDepartment.objects.select_related("department").order_by("role", "position"),
            )
        )

    def for_department(self, department):
        """Programs that the department leads or takes part in."""
        return self.filter(Exists(ProgramDepartment.objects.filter(program=OuterRef("pk"), department=department)))


class Program(models.Model):
    """A program of a plan ("Patent Quality Enhancement"), numbered with a Roman numeral in the circular."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="programs")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    objective = models.TextField(_("objective"))
    departments = models.ManyToManyField(Department, through="ProgramDepartment", related_name="programs")

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["plan__year", "number"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="program_number_unique_in_plan"),
            models.UniqueConstraint(fields=["plan", "name"], name="program_name_unique_in_plan"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=50), name="program_number_in_range"),
        ]

    def __str__(self):
        return f"{self.numeral} {self.name}"

    @property
    def numeral(self) -> str:
        return roman.toRoman(self.number)

    def _team(self, role):
        return [m.department for m in self.team_memberships.all() if m.role == role]

    @property
    def lead_departments(self):
        return self._team(TeamRole.LEAD)

    @property
    def participant_departments(self):
        return self._team(TeamRole.PARTICIPANT)


class ProgramDepartment(models.Model):
    """A department's place in a program team: lead or participant, in the order the circular names them."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="team_memberships")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="program_memberships")
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["program", "role", "position"]
        verbose_name = _("program team member")
        verbose_name_plural = _("program team members")
        constraints = [
            models.UniqueConstraint(fields=["program", "department"], name="program_department_unique"),
            models.UniqueConstraint(fields=["program", "role", "position"], name="program_department_position_unique"),
            models.CheckConstraint(condition=Q(role__in=TeamRole.values), name="program_department_role_valid"),
        ]

    def __str__(self):
        return f"{self.program.numeral}: {self.department} ({self.get_role_display()})"


class WorkItemQuerySet(models.QuerySet):
    def with_structure(self):
        """Work items with everything the plan says of them, in a constant number of queries: program and plan
        (joined), responsible departments and listed/confirmed offices in circular order, and targets."""
        return self.select_related("program__plan").prefetch_related(
            models.Prefetch(
                "department_links",
                queryset=WorkItemDepartment.objects.select_related("department").order_by("position"),
            ),
            models.Prefetch(
                "office_links",
                queryset=WorkItemOffice.objects.select_related("office").order_by(*office_order("office__")),
            ),
            models.Prefetch("targets", queryset=Target.objects.order_by("position")),
        )


class WorkItem(models.Model):
    """A numbered work item of a program ("II.3 Explore the setup of a patent utilization system")."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="work_items")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("full text"))
    office_scope = models.CharField(_("office participation"), max_length=16, choices=OfficeScope.choices)
    office_condition = models.TextField(
        _("condition"),
        blank=True,
        help_text=_("For conditional participation: the condition as the circular words it."),
    )
    departments = models.ManyToManyField(Department, through="WorkItemDepartment", related_name="work_items")
    offices = models.ManyToManyField(ProvincialOffice, through="WorkItemOffice", related_name="work_items")

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["program__plan__year", "program__number", "number"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        indexes = [models.Index(fields=["office_scope"], name="workitem_office_scope_idx")]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="workitem_number_unique_in_program"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=100), name="workitem_number_in_range"),
            models.CheckConstraint(condition=Q(office_scope__in=OfficeScope.values), name="workitem_scope_valid"),
            models.CheckConstraint(
                condition=(Q(office_scope=OfficeScope.CONDITIONAL) & ~Q(office_condition=""))
                | (~Q(office_scope=OfficeScope.CONDITIONAL) & Q(office_condition="")),
                name="workitem_condition_iff_conditional",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="workitem_title_not_empty"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"{self.program.numeral}.{self.number}"

    @property
    def responsible_departments(self):
        return [link.department for link in self.department_links.all()]


class WorkItemDepartment(models.Model):
    """A department responsible for a work item, at its place in the circular's list."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="department_links")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="work_item_links")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["work_item", "position"]
        verbose_name = _("responsible department")
        verbose_name_plural = _("responsible departments")
        constraints = [
            models.UniqueConstraint(fields=["work_item", "department"], name="workitem_department_unique"),
            models.UniqueConstraint(fields=["work_item", "position"], name="workitem_department_position_unique"),
        ]

    def __str__(self):
        return f"{self.work_item.code}: {self.department}"


class WorkItemOffice(models.Model):
    """An office taking part in a work item: named by the circular (scope `listed`, with its place in the list)
    or confirmed by staff to meet the item's condition (scope `conditional`)."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="office_links")
    office = models.ForeignKey(ProvincialOffice, on_delete=models.PROTECT, related_name="work_item_links")
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["work_item", *office_order("office__")]  # the one office order, not the circular's
        verbose_name = _("participating office")
        verbose_name_plural = _("participating offices")
        indexes = [models.Index(fields=["office", "work_item"], name="workitemoffice_office_idx")]
        constraints = [
            models.UniqueConstraint(fields=["work_item", "office"], name="workitem_office_unique"),
            models.UniqueConstraint(fields=["work_item", "position"], name="workitem_office_position_unique"),
        ]

    def __str__(self):
        return f"{self.work_item.code}: {self.office}"


class Target(models.Model):
    """A number the circular commits a work item to ("foster 50 enterprises with an IP advantage")."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(_("position"))
    quantity = models.PositiveIntegerField(_("quantity"))
    approximate = models.BooleanField(_("approximate"), default=False, help_text=_('The circular says "about".'))
    description = models.CharField(_("what is counted"), max_length=300)
    source = models.CharField(_("words of the circular"), max_length=300, blank=True)

    class Meta:
        ordering = ["work_item", "position"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["work_item", "position"], name="target_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="target_quantity_positive"),
            models.CheckConstraint(condition=~Q(description=""), name="target_description_not_empty"),
        ]

    def __str__(self):
        about = _("about") + " " if self.approximate else ""
        return f"{about}{self.quantity:,} {self.description}"
