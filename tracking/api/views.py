from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tracking import selectors, services
from tracking.api.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    HistoryEntrySerializer,
    ReportSerializer,
    ReportWriteSerializer,
    ReturnSerializer,
    ReviewCommentSerializer,
    VersionSerializer,
)
from tracking.filtersets import ReportFilterSet
from tracking.history import report_history
from tracking.models import Attachment


def etag_for(report) -> str:
    return f'"{report.pk}-{report.version}"'


def version_from_if_match(request):
    """The version named by an If-Match header of the form the GET returned ("<id>-<version>"), else None."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    value = header.removeprefix("W/").strip('"')
    return value.rsplit("-", 1)[-1] if "-" in value else value


class ReportViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Status reports ("updates") on the work items: one per item, organisation and period.

    The workflow is draft → submitted → accepted, or returned with a comment and resubmitted; each step is a POST
    to an action. A PATCH must carry the version it read (body `version` or `If-Match` with the ETag)."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.reports_visible_to(user=self.request.user)

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

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        serializer = ReportWriteSerializer(report, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        target_values = data.pop("target_values", None)
        if_match = version_from_if_match(request)
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

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return self.partial_update(request, *args, **kwargs)
        return super().update(request, *args, **kwargs)

    def _version(self, request, data):
        if_match = version_from_if_match(request)
        return (if_match, True) if if_match is not None else (data.get("version"), False)

    @action(detail=True, methods=["post"], serializer_class=VersionSerializer)
    def submit(self, request, pk=None):
        """Submit a draft or returned report for review."""
        serializer = VersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version, via = self._version(request, serializer.validated_data)
        report = services.report_submit(report=self.get_object(), user=request.user, version=version, via_if_match=via)
        return self._respond(report)

    @action(detail=True, methods=["post"], serializer_class=ReviewCommentSerializer)
    def accept(self, request, pk=None):
        """Accept a submitted report (reviewers of the item)."""
        serializer = ReviewCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version, via = self._version(request, serializer.validated_data)
        report = services.report_accept(
            report=self.get_object(),
            user=request.user,
            comment=serializer.validated_data.get("comment", ""),
            version=version,
            via_if_match=via,
        )
        return self._respond(report)

    @action(detail=True, methods=["post"], url_path="return", serializer_class=ReturnSerializer)
    def return_(self, request, pk=None):
        """Return a submitted report to its organisation with a comment (reviewers of the item)."""
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version, via = self._version(request, serializer.validated_data)
        report = services.report_return(
            report=self.get_object(),
            user=request.user,
            comment=serializer.validated_data["comment"],
            version=version,
            via_if_match=via,
        )
        return self._respond(report)

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
        return Response(HistoryEntrySerializer(report_history(report), many=True).data)

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
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            report=self.get_object(), user=request.user, uploaded_file=serializer.validated_data["file"]
        )
        return Response(AttachmentSerializer(attachment, context=self.get_serializer_context()).data, status=201)

    @action(
        detail=True,
        methods=["delete"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        serializer_class=None,
        filterset_class=None,
    )
    def delete_attachment(self, request, pk=None, attachment_id=None):
        """Remove an attachment while the report is open."""
        report = self.get_object()
        try:
            attachment = report.attachments.get(pk=attachment_id)
        except Attachment.DoesNotExist as exc:
            raise Http404 from exc
        services.attachment_delete(attachment=attachment, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
