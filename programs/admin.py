from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from programs.choices import SCOPES_WITH_OFFICE_ROWS, OfficeScope
from programs.models import (
    Plan,
    Program,
    ProgramDepartment,
    ReportingPeriod,
    Target,
    WorkItem,
    WorkItemDepartment,
    WorkItemOffice,
)
from programs.signals import plan_structure_changed


class PlanStructureAdminMixin:
    """Admin pages whose saves may change who must report: tell the apps above (programs.signals) once the
    page's rows and inlines are saved, inside the same transaction."""

    def plan_of(self, obj):
        raise NotImplementedError

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        plan_structure_changed.send(sender=type(form.instance), plan=self.plan_of(form.instance))

    def delete_model(self, request, obj):
        plan = self.plan_of(obj)
        super().delete_model(request, obj)
        plan_structure_changed.send(sender=type(obj), plan=plan)


class WorkItemForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("office_scope")
        item = self.instance
        if item.pk and "office_scope" in self.changed_data and scope != OfficeScope.ALL:
            kept = (
                set(item.office_links.values_list("office_id", flat=True))
                if scope in SCOPES_WITH_OFFICE_ROWS
                else set()
            )
            # The item's reports (tracking.Report, reverse accessor): programs imports no app above it.
            reported = set(item.reports.filter(office__isnull=False).values_list("office__short_name", "office_id"))
            lost = sorted(name for name, pk in reported if pk not in kept)
            if lost:
                raise ValidationError(
                    _("These offices have already reported on this work item and would no longer take part: %(names)s.")
                    % {"names": ", ".join(lost)}
                )
        return cleaned


class ParticipationFormSet(BaseInlineFormSet):
    """Responsible departments and participating offices of a work item: one that has already reported on the
    item cannot be removed or replaced (its report would lose the obligation it meets)."""

    organisation_field: str

    def clean(self):
        super().clean()
        for form in self.forms:
            link = form.instance
            if link.pk is None or not hasattr(form, "cleaned_data"):
                continue
            removed = form.cleaned_data.get("DELETE") or self.organisation_field in form.changed_data
            if not removed:
                continue
            organisation_id = form.initial.get(self.organisation_field)
            # The item's reports (tracking.Report, reverse accessor): programs imports no app above it.
            if self.instance.reports.filter(**{f"{self.organisation_field}_id": organisation_id}).exists():
                raise ValidationError(
                    _(
                        "%(organisation)s has already reported on this work item: it cannot be removed from it "
                        "while its reports exist."
                    )
                    % {"organisation": getattr(link, self.organisation_field)}
                )


class OfficeParticipationFormSet(ParticipationFormSet):
    organisation_field = "office"


class DepartmentResponsibilityFormSet(ParticipationFormSet):
    organisation_field = "department"


class ReportingPeriodInline(admin.TabularInline):
    model = ReportingPeriod
    extra = 0
    fields = ["label", "kind", "start", "end", "due", "close_after_days"]


class ProgramInline(admin.TabularInline):
    model = Program
    extra = 0
    fields = ["number", "name"]
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(PlanStructureAdminMixin, admin.ModelAdmin):
    list_display = ["year", "title", "document_number", "issued_on", "program_count"]
    search_fields = ["title", "document_number"]
    inlines = [ReportingPeriodInline, ProgramInline]

    def plan_of(self, obj):
        return obj

    def delete_model(self, request, obj):
        admin.ModelAdmin.delete_model(self, request, obj)  # its obligations go with its periods

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_programs=Count("programs"))

    @admin.display(description="programs", ordering="n_programs")
    def program_count(self, obj):
        return obj.n_programs


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(PlanStructureAdminMixin, admin.ModelAdmin):
    list_display = ["label", "plan", "kind", "start", "end", "due", "close_after_days"]
    list_filter = ["plan", "kind"]
    list_select_related = ["plan"]

    def plan_of(self, obj):
        return obj.plan


class ProgramDepartmentInline(admin.TabularInline):
    model = ProgramDepartment
    extra = 0
    fields = ["role", "position", "department"]
    autocomplete_fields = ["department"]


class WorkItemInline(admin.TabularInline):
    model = WorkItem
    extra = 0
    fields = ["number", "title", "office_scope"]
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(PlanStructureAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "plan", "lead_list", "work_item_count"]
    list_filter = ["plan", "team_memberships__department"]
    search_fields = ["name", "objective"]
    inlines = [ProgramDepartmentInline, WorkItemInline]

    def plan_of(self, obj):
        return obj.plan

    def get_queryset(self, request):
        return super().get_queryset(request).with_team().annotate(n_items=Count("work_items", distinct=True))

    @admin.display(description="lead")
    def lead_list(self, obj):
        return ", ".join(d.name for d in obj.lead_departments)

    @admin.display(description="work items", ordering="n_items")
    def work_item_count(self, obj):
        return obj.n_items


class WorkItemDepartmentInline(admin.TabularInline):
    model = WorkItemDepartment
    formset = DepartmentResponsibilityFormSet
    extra = 0
    fields = ["position", "department"]
    autocomplete_fields = ["department"]


class WorkItemOfficeInline(admin.TabularInline):
    model = WorkItemOffice
    formset = OfficeParticipationFormSet
    extra = 0
    fields = ["position", "office", "confirmed_by", "confirmed_at"]
    readonly_fields = ["confirmed_by", "confirmed_at"]
    autocomplete_fields = ["office"]
    verbose_name_plural = "participating offices (listed by the circular, or confirmed to meet the condition)"


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["position", "quantity", "approximate", "description", "source"]


@admin.register(WorkItem)
class WorkItemAdmin(PlanStructureAdminMixin, admin.ModelAdmin):
    form = WorkItemForm
    list_display = ["__str__", "program", "office_scope", "department_list", "office_count"]
    list_filter = ["program__plan", "program", "office_scope", "department_links__department", "office_links__office"]
    search_fields = ["title", "text", "office_condition"]
    inlines = [WorkItemDepartmentInline, WorkItemOfficeInline, TargetInline]

    def plan_of(self, obj):
        return obj.program.plan

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("program__plan")
            .prefetch_related(
                Prefetch(
                    "department_links",
                    queryset=WorkItemDepartment.objects.select_related("department").order_by("position"),
                )
            )
            .annotate(n_offices=Count("office_links", distinct=True))
        )

    @admin.display(description="departments")
    def department_list(self, obj):
        return ", ".join(d.name for d in obj.responsible_departments)

    @admin.display(description="offices")
    def office_count(self, obj):
        return "all" if obj.office_scope == "all" else obj.n_offices

    def save_formset(self, request, form, formset, change):
        # Record who confirmed an office for a conditional item, and when.
        from django.utils import timezone

        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, WorkItemOffice) and instance.confirmed_by_id is None:
                instance.confirmed_by = request.user
                instance.confirmed_at = timezone.now()
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
