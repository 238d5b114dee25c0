from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from tracking import permissions
from tracking.models import Attachment


def attachment_download(request, pk):
    """Serve an attachment to those allowed to see its report, always as a download (never rendered inline)."""
    attachment = get_object_or_404(Attachment.objects.select_related("report__work_item"), pk=pk)
    if not permissions.can_view_report(request.user, attachment.report):
        raise Http404  # what a user cannot see does not exist for them
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
