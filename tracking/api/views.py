from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from planpromo.api.exceptions import PreconditionFailed
from planpromo.api.pagination import SyncPageNumberPagination
from planpromo.api.renderers import ExportRenderer
from planpromo.api.schema import ErrorSerializer
from planpromo.numbers import as_id
from tracking import cleaning, exports, permissions, selectors, services
from tracking.api import lean
from tracking.api.conditional import (
    ReportConditionalMixin,
    TargetValueConditionalMixin,
)
from tracking.api.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    HistoryEntrySerializer,
    ReportSerializer,
    ReportWriteSerializer,
    ReturnSerializer,
    ReviewCommentSerializer,
    TargetValueRowSerializer,
    VersionSerializer,
)
from tracking.filtersets import ReportFilterSet, TargetValueFilterSet
from tracking.history import report_history
from tracking.models import Attachment


def etag_for(report) -> str:
    return f'"{report.pk}-{report.version}"'


def version_from_if_match(request, pk):
    """The version named by an If-Match header of the form the GET returned ("<id>-<version>"), else None. The
    whole ETag is checked: one that names another report is a failed precondition (412), not a version."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    value = header.removeprefix("W/").strip('"')
    if "-" not in value:
        return value
    report_id, version = value.rsplit("-", 1)
    if report_id != str(pk):
        raise PreconditionFailed(
            detail=f"The If-Match header names another report ({report_id}) than this one ({pk}): send this "
            "report's ETag."
        )
    return version


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag the GET returned ("<id>-<version>"); instead of `version` in the body. Stale: 412.',
)
CONFLICT_RESPONSES = {
    409: OpenApiResponse(ErrorSerializer, description="The `version` sent is stale: reload and apply again."),
    412: OpenApiResponse(ErrorSerializer, description="The `If-Match` sent is stale: reload and apply again."),
}


LAYOUT = OpenApiParameter(
    "layout",
    OpenApiTypes.STR,
    enum=list(exports.LAYOUTS),
    description=(
        "With `format=csv` or `format=xlsx`: `machine` (default, for scripts: the JSON's field names and codes, "
        "nested fields flattened), `people` (headers and labels in the request's language, one column per target "
        "headed by its description, dates as dates, frozen header, filter) or `long` (one row per report and target, "
        "for pivot tables)."
    ),
)


def export_naming(request) -> dict:
    """The plan year, period and organisation a list is filtered on, to name its file (ignored when not valid: the
    filter itself answers for them)."""
    from participants.models import Department, ProvincialOffice
    from programs.models import ReportingPeriod

    params, naming = request.query_params, {}
    for key, model in (("period", ReportingPeriod), ("office", ProvincialOffice), ("department", Department)):
        value = params.get(key, "")
        if as_id(value) is not None:
            queryset = model.objects.select_related("plan") if model is ReportingPeriod else model.objects.all()
            found = queryset.filter(pk=value).first()
            if found is not None:
                naming["period" if key == "period" else "organisation"] = found
    if as_id(params.get("year", "")) is not None:
        naming["year"] = params["year"]
    return naming


class ReportViewSet(ReportConditionalMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Status reports ("updates") on the work items: one per item, organisation and period.

    The workflow is draft → submitted → accepted, or returned with a comment and resubmitted; each step is a POST
    to an action. A PATCH must carry the version it read (body `version` or `If-Match` with the ETag).

    Incremental sync: pass the list's `watermark` back as `updated_after`. Reports are never deleted; removing an
    attachment changes its report (a new version, a new `updated_at`), so the report comes again without it."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    # With a file format: the people's or the long layout instead of the machine one (tracking.exports).
    extra_query_parameters = ("layout",)
    pagination_class = SyncPageNumberPagination
    # Only indexed columns: ordering by free text (summary) would sort the whole table.
    ordering_fields = ["updated_at", "submitted_at", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]  # no PUT: edits are partial

    def get_queryset(self):
        return selectors.reports_visible_to(user=self.request.user)

    @extend_schema(parameters=[LAYOUT])
    def list(self, request, *args, **kwargs):
        layout = request.query_params.get("layout", exports.MACHINE)
        if layout not in exports.LAYOUTS:
            raise ValidationError({"layout": [f"One of {', '.join(exports.LAYOUTS)}."]})
        renderer = getattr(request, "accepted_renderer", None)
        if getattr(renderer, "format", None) == "json":  # the lean path; the serializer for the rest
            narrowed = any(request.query_params.get(name) for name in self.filterset_class.base_filters)
            rows = lean.report_values(self.filtered_list(), count=getattr(self, "known_count", None), narrowed=narrowed)
            page = self.paginate_queryset(rows)
            return lean.json_response(self.get_paginated_response(lean.report_rows(page, request)))
        if layout == exports.MACHINE or not isinstance(renderer, ExportRenderer):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        return exports.reports_file_response(
            queryset,
            layout=layout,
            file_format=renderer.format,
            filename=exports.reports_filename(**export_naming(request), layout=layout, extension=renderer.format),
        )

    def get_object(self):
        try:
            return super().get_object()
        except (ObjectDoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc

    def _respond(self, report, status_code=status.HTTP_200_OK):
        report = self.get_queryset().get(pk=report.pk)
        response = Response(ReportSerializer(report, context=self.get_serializer_context()).data, status=status_code)
        response["ETag"] = etag_for(report)
        return response

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        response = Response(self.get_serializer(report).data)
        response["ETag"] = etag_for(report)
        return response

    @extend_schema(request=ReportWriteSerializer, responses={201: ReportSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ReportWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        target_values = data.pop("target_values", None)
        data.pop("version", None)
        report = services.report_create(
            user=request.user,
            work_item=data.pop("work_item"),
            period=data.pop("period"),
            office=data.pop("office", None),
            department=data.pop("department", None),
            fields=data,
            target_values=[(tv["target"], tv["value"]) for tv in target_values] if target_values is not None else None,
        )
        return self._respond(report, status.HTTP_201_CREATED)

    @extend_schema(
        request=ReportWriteSerializer, parameters=[IF_MATCH], responses={200: ReportSerializer, **CONFLICT_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        serializer = ReportWriteSerializer(report, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        target_values = data.pop("target_values", None)
        if_match = version_from_if_match(request, report.pk)
        version = data.pop("version", None)
        report = services.report_update(
            report=report,
            user=request.user,
            version=if_match if if_match is not None else version,
            via_if_match=if_match is not None,
            fields=data,
            target_values=[(tv["target"], tv["value"]) for tv in target_values] if target_values is not None else None,
        )
        return self._respond(report)

    def _workflow_step(self, request, service):
        """Submit, accept and return: the body checked by the action's serializer (a version, and a comment for
        accept and return), the version from If-Match or else the body, the service, the report as it now is."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if_match = version_from_if_match(request, self.kwargs.get("pk"))
        version, via = (if_match, True) if if_match is not None else (data.pop("version", None), False)
        data.pop("version", None)
        report = service(report=self.get_object(), user=request.user, version=version, via_if_match=via, **data)
        return self._respond(report)

    @extend_schema(
        request=VersionSerializer, parameters=[IF_MATCH], responses={200: ReportSerializer, **CONFLICT_RESPONSES}
    )
    @action(detail=True, methods=["post"], serializer_class=VersionSerializer)
    def submit(self, request, pk=None):
        """Submit a draft or returned report for review."""
        return self._workflow_step(request, services.report_submit)

    @extend_schema(
        request=ReviewCommentSerializer, parameters=[IF_MATCH], responses={200: ReportSerializer, **CONFLICT_RESPONSES}
    )
    @action(detail=True, methods=["post"], serializer_class=ReviewCommentSerializer)
    def accept(self, request, pk=None):
        """Accept a submitted report (reviewers of the item)."""
        return self._workflow_step(request, services.report_accept)

    @extend_schema(
        request=ReturnSerializer, parameters=[IF_MATCH], responses={200: ReportSerializer, **CONFLICT_RESPONSES}
    )
    @action(detail=True, methods=["post"], url_path="return", serializer_class=ReturnSerializer)
    def return_(self, request, pk=None):
        """Return a submitted report to its organisation with a comment (reviewers of the item)."""
        return self._workflow_step(request, services.report_return)

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)})
    @action(
        detail=True,
        methods=["get"],
        serializer_class=HistoryEntrySerializer,
        pagination_class=None,
        filterset_class=None,
    )
    def history(self, request, pk=None):
        """Every version of the report: who, when, which transition, what changed."""
        report = self.get_object()
        published_only = not permissions.can_view_open_versions(request.user, report)
        return Response(HistoryEntrySerializer(report_history(report, published_only=published_only), many=True).data)

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="attachments",
        serializer_class=AttachmentUploadSerializer,
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def attachments(self, request, pk=None):
        """Attach evidence (PDF, office document or image; type checked by content; size limited)."""
        serializer = AttachmentUploadSerializer(data=request.data)
        if getattr(request._request, "upload_too_large", False):  # planpromo.uploads stopped reading it
            raise ValidationError({"file": [cleaning.file_too_large_message()]})
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            report=self.get_object(), user=request.user, uploaded_file=serializer.validated_data["file"]
        )
        return Response(AttachmentSerializer(attachment, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        methods=["GET"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="Download the file, always as an attachment, to those who may see the report.",
    )
    @extend_schema(methods=["DELETE"], responses={204: None}, description="Remove it while the report is open.")
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        serializer_class=AttachmentSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def attachment(self, request, pk=None, attachment_id=None):
        """GET: download the file, always as an attachment, to those who may see the report.
        DELETE: remove it while the report is open (its organisation)."""
        report = self.get_object()
        try:
            attachment = report.attachments.get(pk=attachment_id)
        except Attachment.DoesNotExist as exc:
            raise Http404 from exc
        if request.method == "DELETE":
            services.attachment_delete(attachment=attachment, user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=cleaning.attachment_download_name(attachment),
            content_type=attachment.content_type,
        )
        response["Cache-Control"] = "private, no-store"
        return response


class TargetValueViewSet(TargetValueConditionalMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Target values, one row per report and target, flat for a pivot table (`?format=csv` or `xlsx` for every
    row): the work item's code, the organisation, the period, the target's description and figure, the value, and
    the report's state and status. Takes the reports' filters (`state=submitted,accepted` for the received ones)
    and `updated_after` (the report's `updated_at`: a value is written with its report) for an incremental sync."""

    serializer_class = TargetValueRowSerializer
    filterset_class = TargetValueFilterSet
    pagination_class = SyncPageNumberPagination
    ordering_fields = {
        "id": "id",
        "report": ("report_id", "target__position"),
        "item_code": (
            "report__work_item__program__plan__year",
            "report__work_item__program__number",
            "report__work_item__number",
            "target__position",
            "id",
        ),
        "updated_at": ("report__updated_at", "id"),
    }
    export_name = "target-values"

    def get_queryset(self):
        return selectors.target_values_visible_to(user=self.request.user).order_by("report_id", "target__position")
