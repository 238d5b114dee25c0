import datetime

from django.core.paginator import Paginator as DjangoPaginator
from django.utils import timezone
from rest_framework import pagination, serializers
from rest_framework.response import Response

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
        # A count the view already made for its ETag (planpromo.api.conditional): the page needs no second one.
        self.known_count = getattr(view, "known_count", None)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size):
        paginator = DjangoPaginator(queryset, page_size)
        if getattr(self, "known_count", None) is not None:
            paginator.count = self.known_count  # Paginator.count is a cached_property: this is its value
        return paginator

    def get_paginated_response(self, data):
        if self.export is not None:
            return self.export.response()
        return super().get_paginated_response(data)


# A row written just before a list is read may be committed just after (its `updated_at` is set when it is saved,
# not when its transaction commits), and app servers' clocks differ a little: the watermark is the time the list
# was read less this margin, so that the next sync fetches such rows too. A sync is "at least once": a row may come
# again, and a client upserts by id.
SYNC_OVERLAP = datetime.timedelta(seconds=60)
WATERMARK_HEADER = "X-Sync-Watermark"


class SyncPageNumberPagination(PageNumberPagination):
    """Pages of a list that can be synced incrementally: `{count, next, previous, watermark, results}`.

    `watermark` (also the `X-Sync-Watermark` header, on files too) is what the client passes back as
    `updated_after` to fetch what changed since this list was read."""

    def paginate_queryset(self, queryset, request, view=None):
        self.watermark = timezone.now() - SYNC_OVERLAP
        return super().paginate_queryset(queryset, request, view)

    def watermark_text(self) -> str:
        return serializers.DateTimeField().to_representation(self.watermark)

    def get_paginated_response(self, data):
        if self.export is not None:
            response = self.export.response()
        else:
            response = Response(
                {
                    "count": self.page.paginator.count,
                    "next": self.get_next_link(),
                    "previous": self.get_previous_link(),
                    "watermark": self.watermark_text(),
                    "results": data,
                }
            )
        response[WATERMARK_HEADER] = self.watermark_text()
        return response

    def get_paginated_response_schema(self, schema):
        response_schema = super().get_paginated_response_schema(schema)
        properties = response_schema["properties"]
        properties["watermark"] = {
            "type": "string",
            "format": "date-time",
            "description": "Pass it as `updated_after` to fetch what changed since this list was read (rows may come "
            "again: upsert by id).",
        }
        properties["results"] = properties.pop("results")
        response_schema["required"] = [*response_schema.get("required", []), "watermark"]
        return response_schema
