from django.contrib import admin
from django.db.models import Count, Prefetch

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


class ReportingPeriodInline(admin.TabularInline):
    model = ReportingPeriod
    extra = 0
    fields = ["label", "kind", "start", "end", "due"]


class ProgramInline(admin.TabularInline):
    model = Program
    extra = 0
    fields = ["number", "name"]
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "document_number", "issued_on", "program_count"]
    search_fields = ["title", "document_number"]
    inlines = [ReportingPeriodInline, ProgramInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_programs=Count("programs"))

    @admin.display(description="programs", ordering="n_programs")
    def program_count(self, obj):
        return obj.n_programs


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "plan", "kind", "start", "end", "due"]
    list_filter = ["plan", "kind"]
    list_select_related = ["plan"]


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
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "lead_list", "work_item_count"]
    list_filter = ["plan", "team_memberships__department"]
    search_fields = ["name", "objective"]
    inlines = [ProgramDepartmentInline, WorkItemInline]

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
    extra = 0
    fields = ["position", "department"]
    autocomplete_fields = ["department"]


class WorkItemOfficeInline(admin.TabularInline):
    model = WorkItemOffice
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
class WorkItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "office_scope", "department_list", "office_count"]
    list_filter = ["program__plan", "program", "office_scope", "department_links__department", "office_links__office"]
    search_fields = ["title", "text", "office_condition"]
    inlines = [WorkItemDepartmentInline, WorkItemOfficeInline, TargetInline]

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
