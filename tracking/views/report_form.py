"""The report form: create, edit, attachments, submit.

Every write goes through tracking.services; who may do what is tracking.permissions' answer (a report the user
may not see is not found, one they may see but not change is forbidden)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from planpromo.exceptions import VersionConflict
from planpromo.views import Crumb, PageMixin
from programs.models import Plan, ReportingPeriod, Target
from tracking import permissions, selectors, services
from tracking.choices import ReportState
from tracking.forms import ReportForm, ReportStartForm, VersionForm
from tracking.locks import lock_status
from tracking.models import Report
from tracking.views.base import ReportObjectMixin, conflict_message, items_of, my_work_crumb, report_label, safe_next


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
        initial = {name: getattr(report, name) for name in Report.EDITABLE_FIELDS}
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
