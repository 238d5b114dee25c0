"""The review queue and the reviewers' accept and return."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from planpromo.exceptions import VersionConflict
from planpromo.views import PageMixin
from tracking import permissions, selectors, services
from tracking.forms import ReviewForm
from tracking.views.base import ReportObjectMixin, conflict_message, report_label, safe_next
from tracking.views.reports import ReportDetailView


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
