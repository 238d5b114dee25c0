"""The import page: upload a filled report template, see what it would do (a dry run through the same services),
confirm to import it all or nothing. The template itself is downloaded from the API
(`/api/v1/updates/template/`, signed by the session), linked from here and from My work."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from participants.models import Department, ProvincialOffice
from planpromo.views import Crumb, PageMixin
from programs.choices import PeriodKind
from programs.models import Plan
from tracking import permissions
from tracking.cleaning import file_too_large_message
from tracking.forms import ImportConfirmForm, ImportUploadForm
from tracking.imports import reports_import
from tracking.spreadsheet_reader import SheetCell, SheetRow, read_sheet
from tracking.spreadsheets import EDITABLE, OBLIGATION, TARGET_PREFIX, VERSION

SALT = "tracking.report-import"
PAYLOAD_MAX_AGE = 6 * 60 * 60  # seconds a preview may be confirmed after


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def rows_payload(rows: list[SheetRow]) -> str:
    """The cells the import reads, signed: what the confirmation imports again."""
    kept = [
        [
            row.number,
            {
                key: [cell.column, _plain(cell.value)]
                for key, cell in row.cells.items()
                if key in {OBLIGATION, VERSION, *EDITABLE} or key.startswith(TARGET_PREFIX)
            },
        ]
        for row in rows
    ]
    return signing.dumps(kept, salt=SALT, compress=True)


def rows_from_payload(payload: str) -> list[SheetRow]:
    kept = signing.loads(payload, salt=SALT, max_age=PAYLOAD_MAX_AGE)
    return [
        SheetRow(
            number=number,
            cells={key: SheetCell(row=number, column=column, value=value) for key, (column, value) in cells.items()},
        )
        for number, cells in kept
    ]


class ReportImportView(PageMixin, View):
    """GET: where to download the template and upload it. POST with a file: the preview (nothing written). POST with
    the preview's payload: the import, then back to My work."""

    template_name = "tracking/reports/report_import.html"
    nav_section = "my_work"
    page_title = gettext_lazy("Import reports from a spreadsheet")

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_write(request.user):
            raise PermissionDenied(_("Only the staff of a reporting office or department can import reports."))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [Crumb(gettext_lazy("My work"), reverse("tracking:my_work")), Crumb(self.get_page_title())]

    def render_page(self, status=200, **context):
        plan = Plan.objects.current()
        periods = sorted(plan.periods.all(), key=lambda p: (p.kind != PeriodKind.QUARTER, p.start)) if plan else []
        user = self.request.user
        administrator = permissions.is_administrator(user)
        context = {
            "page_title": self.get_page_title(),
            "breadcrumbs": self.get_breadcrumbs(),
            "nav_section": self.nav_section,
            "plan": plan,
            "periods": periods,
            "template_url": reverse("report-template"),
            "organisation": permissions.user_office(self.request.user)
            or permissions.user_department(self.request.user),
            "offices": ProvincialOffice.objects.all() if administrator else None,
            "departments": Department.objects.order_by("name") if administrator else None,
            "upload_form": context.pop("upload_form", None) or ImportUploadForm(),
            **context,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page()

    def post(self, request):
        if "payload" in request.POST:
            return self.confirm(request)
        form = ImportUploadForm(request.POST, request.FILES)
        if getattr(request, "upload_too_large", False):
            form.add_error(None, file_too_large_message())
            return self.render_page(status=400, upload_form=form)
        if not form.is_valid():
            return self.render_page(status=400, upload_form=form)
        try:
            rows = read_sheet(form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
            return self.render_page(status=400, upload_form=form)
        result = reports_import(user=request.user, rows=rows, dry_run=True)
        confirm = ImportConfirmForm(initial={"payload": rows_payload(rows)}) if result.valid else None
        return self.render_page(status=200 if result.valid else 400, result=result, confirm_form=confirm)

    def confirm(self, request):
        form = ImportConfirmForm(request.POST)
        try:
            rows = rows_from_payload(form.data.get("payload", "")) if form.is_valid() else None
        except signing.BadSignature:
            rows = None
        if rows is None:
            messages.error(request, _("This preview has expired or is damaged: upload the file again."))
            return redirect("tracking:report_import")
        result = reports_import(user=request.user, rows=rows, submit=form.cleaned_data["submit_all"])
        if not result.valid:
            # Something changed since the preview (a colleague saved a report): nothing was written.
            return self.render_page(status=400, result=result, confirm_form=None)
        counts = result.counts
        messages.success(
            request,
            _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged; %(submitted)s submitted.")
            % {
                "created": counts["create"],
                "updated": counts["update"],
                "unchanged": counts["unchanged"],
                "submitted": counts["submit"],
            },
        )
        return redirect("tracking:my_work")
