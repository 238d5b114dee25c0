"""Pages of the report workflow: my work, the report form (create, edit, attachments, submit), the report page,
the review queue and the reports list.

Every write goes through tracking.services; who may do what is tracking.permissions' answer (a report the user
may not see is not found, one they may see but not change is forbidden); reads start from tracking.selectors.
Each page runs a fixed number of queries whatever the number of reports (tests/ui/test_reports_queries.py).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView
from django_htmx.http import HttpResponseClientRedirect

from participants.choices import Role
from planpromo.exceptions import VersionConflict
from planpromo.views import Crumb, PageMixin
from programs.choices import PeriodKind
from programs.models import Plan, ReportingPeriod, Target, WorkItem
from programs.templatetags.plan_tags import short_display_name
from tracking import permissions, selectors, services
from tracking.choices import ReportState
from tracking.filtersets import ReportFilterSet
from tracking.forms import ReportForm, ReportStartForm, ReviewForm, VersionForm, localise_filter_form
from tracking.locks import lock_status
from tracking.models import Obligation, Report
from tracking.pages import todo_for
from tracking.timeline import report_timeline

# The filters the reports list offers (ReportFilterSet has more, for the API).
LIST_FILTERS = ["program", "work_item", "office", "department", "period", "status", "state"]


def my_work_crumb():
    return Crumb(gettext_lazy("My work"), reverse("tracking:my_work"))


def reports_crumb():
    return Crumb(gettext_lazy("Reports"), reverse("tracking:report_list"))


def report_label(report) -> str:
    """ "IV.2 · Guangdong · 2012-Q4", with the organisation's name in the page's language."""
    return f"{report.work_item.code} · {short_display_name(report.organisation)} · {report.period.label}"


def safe_next(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return default


def items_of(*, office, department, plan):
    """The work items of the plan the organisation may report on: an office those it must report on (its
    obligations), a department those it is responsible for or whose program it leads (the rule of
    tracking.permissions)."""
    items = WorkItem.objects.filter(program__plan=plan).select_related("program__plan")
    if office is not None:
        return items.filter(pk__in=Obligation.objects.filter(office=office).values("work_item"))
    if department is not None:
        return items.filter(permissions.reviewing_department_q(department.pk, None))
    return items.none()


def conflict_message(exc: VersionConflict) -> str:
    return _(
        "Someone changed this report while you were editing it (you started from version %(sent)s, it is now at "
        "version %(current)s). Nothing was saved; what you typed is kept below. Open the report in another tab to "
        "see the other changes, then save again to replace them with yours."
    ) % {"sent": exc.sent_version, "current": exc.current_version}


# --- My work ----------------------------------------------------------------------------------------------------


class MyWorkView(PageMixin, TemplateView):
    """The organisation's to-do for the current plan year: every obligation not yet met (no report, a draft, or a
    returned report), overdue first with the days overdue, then the others by due date with the days left, each
    with its action (write, continue, revise); filtered by period (the annual report included) and program. Above
    it, the reports returned with the reviewer's comment, and for reviewers the size of their queue."""

    template_name = "tracking/reports/my_work.html"
    nav_section = "my_work"
    page_title = gettext_lazy("My work")

    def get_context_data(self, **kwargs):
        # Queries: the profile, the office or department; the plan; its periods; its programs; the organisation's
        # open obligations with their reports; the review queue's count (reviewers).
        user, today = self.request.user, timezone.localdate()
        office, department = permissions.user_office(user), permissions.user_department(user)
        plan = Plan.objects.current()
        organisation = office or department
        context = {"office": office, "department": department, "plan": plan, "organisation": organisation}
        if organisation is not None and plan is not None:
            context.update(self.todo_context(plan, organisation, today))
        if permissions.may_review_at_all(user):
            context["review_count"] = selectors.reports_to_review(user=user).count()
        return super().get_context_data(**context, **kwargs)

    def todo_context(self, plan, organisation, today) -> dict:
        periods = sorted(plan.periods.all(), key=lambda p: (p.kind != PeriodKind.QUARTER, p.start))
        programs = list(plan.programs.order_by("number"))
        period = next((p for p in periods if str(p.pk) == self.request.GET.get("period")), None)
        program = next((p for p in programs if str(p.number) == self.request.GET.get("program")), None)
        obligations = Obligation.objects.of_organisation(organisation).filter(period__plan=plan).outstanding()
        if period is not None:
            obligations = obligations.filter(period=period)
        if program is not None:
            obligations = obligations.filter(work_item__program=program)
        obligations = selectors.obligations_visible_to(user=self.request.user, queryset=obligations)
        obligations = obligations.select_related("report__reviewed_by").order_by(
            "due", "work_item__program__number", "work_item__number", "pk"
        )
        todos = [todo_for(o, user=self.request.user, today=today) for o in obligations]
        return {
            "periods": periods,
            "programs": programs,
            "selected_period": period,
            "selected_program": program,
            "filtered": period is not None or program is not None,
            "overdue": [t for t in todos if t.days_left < 0],
            "upcoming": [t for t in todos if t.days_left >= 0],
            "returned": [t for t in todos if t.obligation.visible_state == ReportState.RETURNED],
        }


# --- The report form --------------------------------------------------------------------------------------------


class ReportFormView(PageMixin, View):
    """What creating and editing share: the form with one field per target, saving through the services in one
    transaction (fields, target values, the attached file, and the submission if asked), and mapping the services'
    errors onto the fields so that nothing typed is lost."""

    template_name = "tracking/reports/report_form.html"
    nav_section = "my_work"

    def targets(self, work_item):
        return list(Target.objects.filter(work_item=work_item).order_by("position"))

    def render_form(self, form, status=200, **context):
        if isinstance(form, ReportForm):
            form.note_dropped_file()
        context = {
            "form": form,
            "page_title": self.get_page_title(),
            "breadcrumbs": self.get_breadcrumbs(),
            "nav_section": self.nav_section,
            **context,
        }
        return render(self.request, self.template_name, context, status=status)

    def save(self, form, write):
        """Run `write()` (a create or update), attach the file, submit if asked: all or nothing. Returns the
        report, or None with the errors put on the form."""
        try:
            with transaction.atomic():
                report = write()
                upload = form.cleaned_data.get("attachment")
                if upload:
                    services.attachment_add(report=report, user=self.request.user, uploaded_file=upload)
                if self.request.POST.get("action") == "submit":
                    report = services.report_submit(report=report, user=self.request.user)
        except VersionConflict as exc:
            form.add_error(None, conflict_message(exc))
            # Saving again is a deliberate choice to write over the other change: from the version now current.
            form.data = form.data.copy()
            form.data["version"] = str(exc.current_version)
            return None
        except ValidationError as exc:
            form.add_service_errors(exc)
            return None
        return report

    def saved(self, report):
        if report.state == ReportState.SUBMITTED:
            messages.success(self.request, _("The report has been submitted for review."))
        else:
            messages.success(self.request, _("The report has been saved as a draft."))
        return redirect("tracking:report_detail", pk=report.pk)


class ReportCreateView(ReportFormView):
    """A new report of the user's organisation on a work item it takes part in, for a period of the item's plan:
    /reports/new/?work_item=<id>&period=<id> (without them, a form to choose)."""

    def dispatch(self, request, *args, **kwargs):
        self.office = permissions.user_office(request.user)
        self.department = permissions.user_department(request.user)
        if self.office is None and self.department is None:
            raise PermissionDenied(_("Reports are written by the staff of the reporting office or department."))
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def plan(self):
        plan = Plan.objects.current()
        if plan is None:
            raise Http404(_("No plan has been loaded."))
        return plan

    def start_form(self):
        params = self.request.GET if {"work_item", "period"} & set(self.request.GET) else None
        return ReportStartForm(
            params,
            work_items=items_of(office=self.office, department=self.department, plan=self.plan).select_related(
                "program"
            ),
            periods=ReportingPeriod.objects.filter(plan=self.plan).select_related("plan").order_by("kind", "start"),
        )

    def get_page_title(self):
        return _("New report")

    def get_breadcrumbs(self):
        return [my_work_crumb(), Crumb(self.get_page_title())]

    def chosen(self):
        """(work item, period) when the query string names valid ones, else the form to choose them."""
        start = self.start_form()
        if not start.is_bound or not start.is_valid():
            return None, start
        work_item, period = start.cleaned_data["work_item"], start.cleaned_data["period"]
        if not permissions.can_create_report(
            self.request.user, work_item, office=self.office, department=self.department
        ):
            raise PermissionDenied
        return (work_item, period), start

    def existing(self, work_item, period):
        own = {"office": self.office} if self.office is not None else {"department": self.department}
        return Report.objects.filter(work_item=work_item, period=period, **own).first()

    def render_start(self, start):
        return render(
            self.request,
            "tracking/reports/report_start.html",
            {
                "start_form": start,
                "page_title": self.get_page_title(),
                "breadcrumbs": self.get_breadcrumbs(),
                "nav_section": self.nav_section,
            },
        )

    def get(self, request):
        choice, start = self.chosen()
        if choice is None:
            return self.render_start(start)
        work_item, period = choice
        report = self.existing(work_item, period)
        if report is not None:
            messages.info(request, _("Your organisation already has this report: here it is."))
            target = "tracking:report_edit" if permissions.can_edit_report(request.user, report) else None
            return redirect(target or "tracking:report_detail", pk=report.pk)
        form = ReportForm(targets=self.targets(work_item))
        organisation = self.office or self.department
        return self.render_form(
            form,
            work_item=work_item,
            period=period,
            organisation=organisation,
            period_lock=lock_status(period, organisation),
        )

    def post(self, request):
        choice, start = self.chosen()
        if choice is None:
            return self.render_start(start)
        work_item, period = choice
        form = ReportForm(
            request.POST,
            request.FILES,
            targets=self.targets(work_item),
            upload_too_large=getattr(request, "upload_too_large", False),
        )
        organisation = self.office or self.department
        context = {
            "work_item": work_item,
            "period": period,
            "organisation": organisation,
            "period_lock": lock_status(period, organisation),
        }
        if not form.is_valid():
            return self.render_form(form, **context)

        def write():
            return services.report_create(
                user=request.user,
                work_item=work_item,
                period=period,
                office=self.office,
                department=self.department,
                fields=form.report_fields(),
                target_values=form.target_values(),
            )

        report = self.save(form, write)
        if report is None:
            return self.render_form(form, **context)
        return self.saved(report)


class ReportObjectMixin:
    """The report named by the URL among those the user may see (else 404)."""

    @cached_property
    def report(self):
        queryset = selectors.reports_visible_to(user=self.request.user)
        return get_object_or_404(queryset, pk=self.kwargs["pk"])


class ReportEditView(ReportObjectMixin, ReportFormView):
    """Edit an open report (draft or returned) of the user's organisation: /reports/<id>/edit/."""

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_edit_report(request.user, self.report):
            raise PermissionDenied(
                _("Only the reporting organisation can edit a report, and only while it is a draft or returned.")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Edit report %(report)s") % {"report": report_label(self.report)}

    def get_breadcrumbs(self):
        return [
            my_work_crumb(),
            Crumb(report_label(self.report), reverse("tracking:report_detail", args=[self.report.pk])),
            Crumb(_("Edit")),
        ]

    def context(self):
        report = self.report
        return {
            "report": report,
            "work_item": report.work_item,
            "period": report.period,
            "period_lock": lock_status(report.period, report.organisation),
            "organisation": report.organisation,
            "can_edit": True,
        }

    def get(self, request, pk):
        report = self.report
        targets = self.targets(report.work_item)
        initial = {name: getattr(report, name) for name in services.EDITABLE_FIELDS}
        initial["version"] = report.version
        values = {tv.target_id: tv.value for tv in report.target_values.all()}
        initial.update({ReportForm.target_field(t): values.get(t.pk) for t in targets})
        return self.render_form(ReportForm(initial=initial, targets=targets), **self.context())

    def post(self, request, pk):
        form = ReportForm(
            request.POST,
            request.FILES,
            targets=self.targets(self.report.work_item),
            require_version=True,
            upload_too_large=getattr(request, "upload_too_large", False),
        )
        if not form.is_valid():
            return self.render_form(form, **self.context())

        def write():
            return services.report_update(
                report=self.report,
                user=request.user,
                version=form.cleaned_data["version"],
                fields=form.report_fields(),
                target_values=form.target_values(),
            )

        report = self.save(form, write)
        if report is None:
            return self.render_form(form, **self.context())
        return self.saved(report)


class AttachmentDeleteView(ReportObjectMixin, View):
    """Remove an attachment of an open report (POST). An htmx request gets the attachment list back (and the new
    version, out of band, so that the form around it stays current); a plain one goes back to the form."""

    def post(self, request, pk, attachment_id):
        attachment = get_object_or_404(self.report.attachments.all(), pk=attachment_id)
        try:
            services.attachment_delete(attachment=attachment, user=request.user)
        except ValidationError as exc:  # the period is closed (tracking.locks)
            messages.error(request, " ".join(exc.messages))
            target = reverse("tracking:report_detail", args=[pk])
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
        if request.htmx:
            report = selectors.reports_visible_to(user=request.user).get(pk=pk)
            return render(
                request,
                "tracking/reports/report_form.html#attachments",
                {"report": report, "can_edit": True, "oob_version": True},
            )
        messages.success(request, _("The file %(name)s has been removed.") % {"name": attachment.name})
        return redirect(safe_next(request, reverse("tracking:report_edit", args=[pk])))


class ReportSubmitView(ReportObjectMixin, View):
    """Submit a draft or returned report for review (POST, with the version the page showed)."""

    def post(self, request, pk):
        form = VersionForm(request.POST)
        version = form.cleaned_data.get("version") if form.is_valid() else None
        try:
            services.report_submit(report=self.report, user=request.user, version=version)
        except PermissionDenied:
            raise
        except VersionConflict as exc:
            messages.error(request, conflict_message(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The report has been submitted for review."))
        return redirect("tracking:report_detail", pk=pk)


# --- The report page --------------------------------------------------------------------------------------------


def history_entries(report, user):
    """The report's history as the timeline shows it (tracking.timeline): only the published versions for a reader
    who may not see the report's drafts."""
    return report_timeline(report, published_only=not permissions.can_view_open_versions(user, report))


def target_rows(report):
    """[(target, value or None)] for every target of the report's work item."""
    values = {tv.target_id: tv.value for tv in report.target_values.all()}
    targets = Target.objects.filter(work_item=report.work_item_id).order_by("position")
    return [(target, values.get(target.pk)) for target in targets]


class ReportDetailView(ReportObjectMixin, PageMixin, TemplateView):
    """A report: its fields, target values, attachments, its history as a timeline, and what the user may do."""

    template_name = "tracking/reports/report_detail.html"
    nav_section = "reports"

    def get_page_title(self):
        return _("Report %(report)s") % {"report": report_label(self.report)}

    def get_breadcrumbs(self):
        return [reports_crumb(), Crumb(report_label(self.report))]

    def get_context_data(self, return_form=None, accept_form=None, **kwargs):
        # Queries: the profile and organisation; the report with its relations, target values and attachments;
        # the item's targets; the history with its users; whether the user reviews the item.
        report, user = self.report, self.request.user
        can_review = permissions.can_review_report(user, report)
        return super().get_context_data(
            report=report,
            targets=target_rows(report),
            history=history_entries(report, user),
            can_edit=permissions.can_edit_report(user, report),
            can_review=can_review,
            period_lock=lock_status(report.period, report.organisation),
            return_form=return_form or ReviewForm(comment_required=True, initial={"version": report.version}),
            accept_form=accept_form or ReviewForm(initial={"version": report.version}),
            **kwargs,
        )


# --- Review -----------------------------------------------------------------------------------------------------


class ReviewQueueView(PageMixin, ListView):
    """Submitted reports on the reviewer's items, oldest first, with accept and return inline."""

    template_name = "tracking/reports/review_queue.html"
    context_object_name = "reports"
    nav_section = "review"
    paginate_by = 25
    page_title = gettext_lazy("Review queue")

    def get_queryset(self):
        return selectors.reports_to_review(user=self.request.user)

    def get_context_data(self, **kwargs):
        # Queries: the profile; the count and the page of reports with their relations, target values and
        # attachments.
        return super().get_context_data(
            reviewer=permissions.may_review_at_all(self.request.user), next_url=self.request.get_full_path(), **kwargs
        )


class ReviewActionView(ReportObjectMixin, View):
    """Accept or return a submitted report (POST). An htmx request from the review queue gets the row back in its
    new state (or with the form's errors); a plain POST redirects (to `next`, else the report) with a message, or
    shows the report page with the errors in place."""

    action = ""  # "accept" or "return"

    def post(self, request, pk):
        returning = self.action == "return"
        form = ReviewForm(request.POST, comment_required=returning)
        report = self.report
        if form.is_valid():
            service = services.report_return if returning else services.report_accept
            try:
                report = service(
                    report=report,
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                    version=form.cleaned_data.get("version"),
                )
            except VersionConflict as exc:
                form.add_error(None, conflict_message(exc))
            except ValidationError as exc:
                form.add_service_errors(exc)
        done = form.is_valid() and not form.errors
        if done:
            report = selectors.reports_visible_to(user=request.user).get(pk=report.pk)
            text = (
                _("Report %(report)s returned to its organisation.") if returning else _("Report %(report)s accepted.")
            )
            message = text % {"report": report_label(report)}
        if request.htmx:
            context = {
                "report": report,
                "done": done,
                "message": message if done else "",
                "next_url": request.htmx.current_url_abs_path or "",
            }
            context["return_form" if returning else "accept_form"] = form
            return render(request, "tracking/reports/review_queue.html#row", context)
        if done:
            messages.success(request, message)
            return HttpResponseRedirect(safe_next(request, reverse("tracking:report_detail", args=[pk])))
        view = ReportDetailView(request=request, kwargs={"pk": pk})
        view.report = report
        context = view.get_context_data(**{"return_form" if returning else "accept_form": form})
        return render(request, ReportDetailView.template_name, context)


# --- Reports list -----------------------------------------------------------------------------------------------


class ReportListView(PageMixin, ListView):
    """Every report the user may see, filtered with tracking.filtersets.ReportFilterSet (the API's), paged, with
    the filtered list to download as CSV or XLSX from the API (same filters, the session signs the request)."""

    template_name = "tracking/reports/report_list.html"
    context_object_name = "reports"
    nav_section = "reports"
    paginate_by = 50
    page_title = gettext_lazy("Reports")

    @cached_property
    def filterset(self):
        data = {key: value for key, value in self.request.GET.lists() if key in LIST_FILTERS}
        filterset = ReportFilterSet(
            self.request.GET if data else None,
            queryset=selectors.reports_visible_to(user=self.request.user),
            request=self.request,
        )
        localise_filter_form(filterset.form)
        return filterset

    def get_queryset(self):
        return self.filterset.qs

    def export_url(self, fmt, layout="people"):
        query = self.request.GET.copy()
        query.pop("page", None)
        for key in list(query):
            if key not in LIST_FILTERS:
                query.pop(key)
        query["format"] = fmt
        query["layout"] = layout
        return f"{reverse('report-list')}?{query.urlencode()}"

    def get_context_data(self, **kwargs):
        # Queries: the profile; the filter form's choices (programs, work items, offices, departments, periods)
        # and the chosen values; the count and the page of reports with relations, target values and attachments.
        return super().get_context_data(
            filter_form=self.filterset.form,
            filter_fields=[self.filterset.form[name] for name in LIST_FILTERS],
            csv_url=self.export_url("csv"),
            xlsx_url=self.export_url("xlsx"),
            long_url=self.export_url("xlsx", layout="long"),
            machine_url=self.export_url("csv", layout="machine"),
            filtered=self.filterset.is_bound,
            **kwargs,
        )


# Roles whose work is reporting: they land on their to-do; everyone else on the plan's dashboard.
REPORTING_ROLES = {Role.OFFICE_REPORTER, Role.DEPARTMENT_STAFF}


def home(request):
    """Where signing in lands: an office reporter's or department's to-do (My work), else the current plan's
    dashboard (one query), or a page saying no plan is loaded yet."""
    profile = getattr(request.user, "profile", None)
    if profile is not None and profile.role in REPORTING_ROLES and not request.user.is_superuser:
        return redirect("tracking:my_work")
    plan = Plan.objects.current()
    if plan is None:
        return render(
            request,
            "no_plan.html",
            {"page_title": _("No plan yet"), "breadcrumbs": [Crumb(_("No plan yet"))], "nav_section": "plan"},
        )
    return redirect("tracking:dashboard", year=plan.year)
