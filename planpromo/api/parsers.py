"""The API's JSON parser: DRF's, with JSON nested too deeply for Python's parser (RecursionError) refused as a 400
instead of escaping as a 500 with a traceback (red-team finding 9)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - too deeply nested.") from None
