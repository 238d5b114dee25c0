from rest_framework import pagination

from planpromo.api.exports import Export
from planpromo.api.renderers import ExportRenderer


class PageNumberPagination(pagination.PageNumberPagination):
    """`{count, next, previous, results}` with `page` and `page_size` (up to 500).

    A file format (`?format=csv`, `?format=xlsx`) is not paged: the response is every row that matches the filters,
    in the requested order, streamed. `paginate_queryset` then keeps the queryset and returns an empty page, so that
    the view's `list()` serializes nothing itself, and `get_paginated_response` answers with the file."""

    page_size_query_param = "page_size"
    max_page_size = 500
    export = None

    def paginate_queryset(self, queryset, request, view=None):
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(renderer, ExportRenderer) and view is not None:
            self.export = Export(queryset=queryset, request=request, view=view, renderer=renderer)
            return []
        self.export = None
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.export is not None:
            return self.export.response()
        return super().get_paginated_response(data)
