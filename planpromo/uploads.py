"""An upload handler that stops reading an uploaded file at the attachment limit (red-team finding 1): without it,
a file of any size was spooled to the temporary directory before the service refused it as too large."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class LimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes each chunk on to the handlers after it (memory, then a temporary file)
    until the file exceeds ATTACHMENT_MAX_BYTES, then stops the upload and marks the request
    (`request.upload_too_large`), which the views turn into "the file is too large"."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENT_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the file
