"""The report page and the reports list."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from planpromo.views import Crumb, PageMixin
from programs.models import Target
from tracking import permissions, selectors
from tracking.filtersets import ReportFilterSet
from tracking.forms import ReviewForm, localise_filter_form
from tracking.locks import lock_status
from tracking.timeline import report_timeline
from tracking.views.base import LIST_FILTERS, ReportObjectMixin, report_label, reports_crumb


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
