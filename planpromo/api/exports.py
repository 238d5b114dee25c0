"""Exports of API lists as files: which columns a list has, how a nested record becomes one row, and the streamed
response that writes every row matching the filters.

Columns come from the serializer, not from the data, so that a file has the same columns whatever rows it holds:
- a nested object becomes one column per field: `program.number`, `program.name`;
- a list of objects becomes one column per field, the items' values joined: `offices.short_name` = "Tianjin; Guangdong";
- a list of plain values is joined the same way;
- a `SerializerMethodField` is expanded like a nested serializer when it is annotated with drf-spectacular's
  `@extend_schema_field(SomeSerializer(many=True))` (which the schema needs anyway), else it is one column holding
  the value as text (JSON for an object).

`pagination.PageNumberPagination` hands list views to `Export` when the client asked for a file format, and the
renderers (`renderers.CSVRenderer`, `renderers.XLSXRenderer`) use the same `Table` for anything else they render.
"""

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.text import slugify
from rest_framework import serializers

from planpromo.numbers import as_id

# Rows are read and serialized this many at a time, each chunk with its own prefetch queries: memory stays flat
# however long the list, and the query count grows by one set of queries per chunk, not per row.
CHUNK_SIZE = 2000

# Marks "each item of this list" in a column's path.
EACH = None

SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    name: str
    path: tuple[str | None, ...]


def _nested_serializer(field) -> tuple[serializers.Serializer | None, bool]:
    """The serializer a field nests (and whether it is a list of them), or (None, False) for a plain field."""
    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(field.parent, field.method_name, None)
        annotation = getattr(method, "_spectacular_annotation", {}).get("field")
        if isinstance(annotation, type) and issubclass(annotation, serializers.BaseSerializer):
            annotation = annotation()
        if isinstance(annotation, serializers.BaseSerializer):
            field = annotation
    if isinstance(field, serializers.ListSerializer):
        child = field.child
        return (child, True) if isinstance(child, serializers.Serializer) else (None, False)
    if isinstance(field, serializers.ListField) and isinstance(field.child, serializers.Serializer):
        return field.child, True
    if isinstance(field, serializers.Serializer):
        return field, False
    return None, False


def _serializer_columns(serializer: serializers.Serializer, prefix=()) -> Iterator[Column]:
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        path = (*prefix, name)
        nested, many = _nested_serializer(field)
        if nested is None:
            yield Column(".".join(p for p in path if p is not EACH), path)
        else:
            yield from _serializer_columns(nested, (*path, EACH) if many else path)


def _data_paths(value, prefix=()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _data_paths(item, (*prefix, str(key)))
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        for item in value:
            yield from _data_paths(item, (*prefix, EACH))
    else:
        yield prefix


def _pick(value, path):
    for index, key in enumerate(path):
        if key is EACH:
            return [_pick(item, path[index + 1 :]) for item in value or []]
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _flat(values) -> Iterator:
    for value in values:
        if isinstance(value, list):
            yield from _flat(value)
        elif value is not None:
            yield value


def _cell(value):
    """One cell: scalars as they are, lists joined, anything else as JSON (Chinese kept as it is)."""
    if isinstance(value, list):
        items = list(_flat(value))
        if any(isinstance(item, dict) for item in items):
            return json.dumps(items, ensure_ascii=False)
        return SEPARATOR.join(str(item) for item in items)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


class Table:
    """The columns of an export and the flattening of one serialized record into a row {column name: cell}."""

    def __init__(self, columns: Iterable[Column]):
        self.columns = list(columns)

    @classmethod
    def for_serializer(cls, serializer: serializers.BaseSerializer) -> "Table":
        if isinstance(serializer, serializers.ListSerializer):
            serializer = serializer.child
        return cls(_serializer_columns(serializer))

    @classmethod
    def for_data(cls, records: list) -> "Table":
        """Columns found in the records themselves, in order of appearance: for views without a serializer."""
        paths = dict.fromkeys(path for record in records for path in _data_paths(record))
        return cls(Column(".".join(p for p in path if p is not EACH) or "value", path) for path in paths)

    @classmethod
    def for_view(cls, view, records: list) -> "Table":
        serializer = _view_serializer(view)
        if serializer is not None:
            names = set(
                serializer.child.fields if isinstance(serializer, serializers.ListSerializer) else serializer.fields
            )
            if all(isinstance(record, dict) and set(record) <= names for record in records):
                return cls.for_serializer(serializer)
        return cls.for_data(records)

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def row(self, record) -> dict:
        return {column.name: _cell(_pick(record, column.path)) for column in self.columns}


def _view_serializer(view):
    get_serializer = getattr(view, "get_serializer", None)
    if get_serializer is None:
        return None
    try:
        return get_serializer()
    except (AssertionError, TypeError, AttributeError):  # a view without a serializer_class
        return None


VERSION_SEGMENT = re.compile(r"v\d+")


def filename(request, view, extension: str) -> str:
    """`work-items-2012.csv`: the view's `export_name` (else its URL after /api/v1/), and the `year` filter."""
    name = getattr(view, "export_name", None)
    if not name:
        segments = [segment for segment in request.path.split("/") if segment]
        while segments and (segments[0] == "api" or VERSION_SEGMENT.fullmatch(segments[0])):
            segments.pop(0)
        name = slugify("-".join(segments)) or "export"
    year = request.query_params.get("year", "")
    if as_id(year) is not None:
        name = f"{name}-{year}"
    return f"{name}.{extension}"


class Export:
    """Every row of a filtered, ordered list view, serialized chunk by chunk by the view's own serializer and
    written by the renderer the client asked for."""

    def __init__(self, *, queryset, request, view, renderer):
        self.queryset, self.request, self.view, self.renderer = queryset, request, view, renderer

    def records(self) -> Iterator[dict]:
        if isinstance(self.queryset, QuerySet):
            # iterator() with a chunk size runs the queryset's prefetch_related once per chunk.
            objects = self.queryset.iterator(chunk_size=CHUNK_SIZE)
        else:
            objects = iter(self.queryset)
        for chunk in itertools.batched(objects, CHUNK_SIZE):
            yield from self.view.get_serializer(list(chunk), many=True).data

    def response(self):
        table = Table.for_serializer(self.view.get_serializer())
        rows = (table.row(record) for record in self.records())
        return self.renderer.file_response(table.header, rows, filename(self.request, self.view, self.renderer.format))
