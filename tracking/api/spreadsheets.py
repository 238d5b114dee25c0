"""The report template and its import in the API: `GET /api/v1/updates/template/` (an organisation's XLSX template
for a period or a plan year) and `POST /api/v1/updates/import/` (a filled template; `dry_run=true` previews)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from participants.models import Department, ProvincialOffice
from planpromo.api.filters import check_query_parameters
from planpromo.api.schema import VALIDATION_ERROR_SCHEMA, ErrorSerializer
from planpromo.numbers import as_id
from programs.models import Plan, ReportingPeriod
from tracking import cleaning, permissions
from tracking.imports import ImportResult, reports_import
from tracking.spreadsheet_reader import read_sheet
from tracking.spreadsheets import XLSX_CONTENT_TYPE, template_bytes, template_data, template_filename


def template_organisation(user, *, office_id=None, department_id=None):
    """The organisation whose template the user asks for: their own; an administrator names one. Raises
    PermissionDenied for another organisation than one's own, ValidationError for none."""
    if office_id and department_id:
        raise ValidationError({"office": [_("Name an office or a department, not both.")]})
    organisation = None
    try:
        if office_id:
            organisation = ProvincialOffice.objects.get(pk=int(office_id))
        elif department_id:
            organisation = Department.objects.get(pk=int(department_id))
    except (ValueError, TypeError, ProvincialOffice.DoesNotExist, Department.DoesNotExist):
        raise ValidationError({"office" if office_id else "department": [_("No such organisation.")]}) from None
    if organisation is None:
        organisation = permissions.user_office(user) or permissions.user_department(user)
        if organisation is None:
            raise ValidationError(
                {"office": [_("You do not report for an organisation: name the office or department.")]}
            )
    office = organisation if isinstance(organisation, ProvincialOffice) else None
    department = organisation if isinstance(organisation, Department) else None
    # The right to report for the organisation, whatever the item (the work item is not looked at).
    if not permissions.can_create_report(user, None, office=office, department=department):
        raise PermissionDenied(_("You can download the template of your own organisation only."))
    return organisation


def template_periods(*, period_id=None, year=None) -> list[ReportingPeriod]:
    """The period asked for, or every period of the plan year (default: the current plan's)."""
    periods = ReportingPeriod.objects.select_related("plan").order_by("kind", "start")
    if period_id:
        try:
            return [periods.get(pk=int(period_id))]
        except (ValueError, TypeError, ReportingPeriod.DoesNotExist):
            raise ValidationError({"period": [_("No such reporting period.")]}) from None
    if year:
        chosen = list(periods.filter(plan__year=number)) if (number := as_id(year)) is not None else []
    else:
        plan = Plan.objects.current()
        chosen = list(periods.filter(plan=plan)) if plan else []
    if not chosen:
        raise ValidationError({"year": [_("No plan for this year.")]})
    return chosen


class ReportTemplateView(APIView):
    """The report template of an organisation as an XLSX workbook: one row per report it owes in the period (or
    every period of the plan year), to fill offline and upload to `/api/v1/updates/import/`. Headers in the
    request's language (Accept-Language, or the language chosen on the site)."""

    extra_query_parameters = ("period", "year", "office", "department")

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.INT, description="A reporting period's id."),
            OpenApiParameter("year", OpenApiTypes.INT, description="Every period of this plan year."),
            OpenApiParameter("office", OpenApiTypes.INT, description="Administrators: the office's template."),
            OpenApiParameter("department", OpenApiTypes.INT, description="Administrators: the department's template."),
        ],
        responses={
            # Declared as bytes, as the attachments' download is (generated clients read it raw); served as XLSX.
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description=f"The template, an Excel workbook ({XLSX_CONTENT_TYPE})."
            ),
            400: OpenApiResponse(
                VALIDATION_ERROR_SCHEMA,
                description="No such period, year or organisation, or no organisation named by a user without one.",
                examples=[OpenApiExample("No such period", value={"period": ["No such reporting period."]})],
            ),
        },
    )
    def get(self, request):
        check_query_parameters(request, self)
        params = request.query_params
        organisation = template_organisation(
            request.user, office_id=params.get("office"), department_id=params.get("department")
        )
        periods = template_periods(period_id=params.get("period"), year=params.get("year"))
        data = template_data(organisation=organisation, periods=periods)
        response = HttpResponse(template_bytes(data), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, template_filename(data))
        response["Cache-Control"] = "private, no-store"
        return response


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The filled template: XLSX, or CSV with the same columns.")
    dry_run = serializers.BooleanField(default=False, help_text="Check every row, write nothing.")
    submit = serializers.BooleanField(default=False, help_text="Submit every imported report for review afterwards.")


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The spreadsheet's row number.")
    column = serializers.CharField(help_text='The column\'s letter ("" for the whole row).')
    field = serializers.CharField(help_text="The column's key: status, percent_complete, target:<id>, ...")
    header = serializers.CharField(help_text="The column's header in the request's language.")
    message = serializers.CharField()


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    obligation = serializers.IntegerField(allow_null=True)
    work_item = serializers.CharField(allow_null=True)
    period = serializers.CharField(allow_null=True)
    action = serializers.ChoiceField(choices=["create", "update", "unchanged", "skip"])
    changes = serializers.ListField(child=serializers.CharField())
    report = serializers.IntegerField(allow_null=True, help_text="The report's id (none in a dry run's new rows).")
    submitted = serializers.BooleanField()


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    valid = serializers.BooleanField()
    written = serializers.BooleanField(help_text="Whether anything was kept: false for a dry run or any error.")
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = ImportRowSerializer(many=True)
    errors = ImportErrorSerializer(many=True)


def result_data(result: ImportResult) -> dict:
    rows = []
    for row in result.rows:
        obligation = row.obligation
        report = row.report if (row.report is not None and row.report.pk and result.written) else None
        if report is None and row.action in {"update", "unchanged"} and row.report is not None:
            report = row.report
        rows.append(
            {
                "row": row.row,
                "obligation": obligation.pk if obligation else None,
                "work_item": obligation.work_item.code if obligation else None,
                "period": obligation.period.label if obligation else None,
                "action": row.action,
                "changes": row.changes,
                "report": report.pk if report else None,
                "submitted": row.submitted and result.written,
            }
        )
    return {
        "dry_run": result.dry_run,
        "valid": result.valid,
        "written": result.written,
        "counts": result.counts,
        "rows": rows,
        "errors": [vars(error) for error in result.errors],
    }


# A 400 is either the file refused (`file`), a field of the form refused, or the result with its `errors`.
_FLAG_OR_MESSAGES = {"oneOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}]}
IMPORT_REFUSED_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "file": {"type": "array", "items": {"type": "string"}},
        "dry_run": _FLAG_OR_MESSAGES,
        "submit": {"type": "array", "items": {"type": "string"}},
        "valid": {"type": "boolean"},
        "written": {"type": "boolean"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "rows": {"type": "array", "items": {"type": "object"}},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
_NOT_XLSX = "This is not an Excel workbook (.xlsx) or a CSV file: upload the template you downloaded, filled in."


class ReportImportView(APIView):
    """Import a filled report template: every row checked, then every report created or updated through the same
    rules as the form (or nothing at all, when any row has an error: 400 with the errors by row and column)."""

    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            200: ImportResultSerializer,
            400: OpenApiResponse(
                IMPORT_REFUSED_SCHEMA,
                description="The file is refused (`file`: why), or some rows are (`errors`); nothing was written.",
                examples=[
                    OpenApiExample("A file that is no template", value={"file": [_NOT_XLSX]}),
                    OpenApiExample(
                        "A bad row",
                        value={
                            "detail": "Nothing was imported: correct the rows listed and upload the file again.",
                            "errors": [
                                {
                                    "row": 5,
                                    "column": "N",
                                    "field": "percent_complete",
                                    "header": "Percent complete",
                                    "message": "“140” is not a percent: give a whole number from 0 to 100.",
                                }
                            ],
                        },
                    ),
                ],
            ),
            415: OpenApiResponse(
                ErrorSerializer,
                description="The body is not multipart/form-data (or a form).",
                examples=[OpenApiExample("No form", value={"detail": 'Unsupported media type "" in request.'})],
            ),
        },
    )
    def post(self, request):
        if getattr(request._request, "upload_too_large", False):  # planpromo.uploads stopped reading it
            raise ValidationError({"file": [cleaning.file_too_large_message()]})
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rows = read_sheet(data["file"])
        result = reports_import(user=request.user, rows=rows, dry_run=data["dry_run"], submit=data["submit"])
        body = result_data(result)
        if not result.valid:
            body["detail"] = _("Nothing was imported: correct the rows listed and upload the file again.")
        return Response(body, status=status.HTTP_200_OK if result.valid else status.HTTP_400_BAD_REQUEST)
