"""The limits check: a limit is only a limit if it returns what the product returns. Rows are compared by their
numbers (ids, counts, rates, booleans, and whether a value is present), never by their formatting: a date written
with or without microseconds, or JSON keys in another order, are the same."""

from __future__ import annotations

import json


def rows_of(body: bytes) -> list:
    """The rows of a list response: a page's results, or the list itself."""
    data = json.loads(body)
    return data["results"] if isinstance(data, dict) and "results" in data else data


def leaf(value):
    """A value as the check compares it: numbers to one decimal (a rate), booleans, None, and text as present."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return round(float(value), 1)
    return "text"


def flatten(value, path: str = "") -> dict:
    """{path: leaf} of a row's values, nested objects and lists included ("targets.0.achieved")."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {path: leaf(value)}
    flat = {}
    for key, inner in items:
        flat |= flatten(inner, f"{path}.{key}" if path else str(key))
    return flat


def differences(product: list, limit: list, *, most: int = 5) -> list[str]:
    """Where the limit's rows differ from the product's: the fields both rows have, compared by `leaf`, and the
    number of rows. At most `most` differences are listed."""
    found = []
    if len(product) != len(limit):
        found.append(f"{len(product)} rows, the limit {len(limit)}")
    for index, (ours, theirs) in enumerate(zip(product, limit, strict=False)):
        ours, theirs = flatten(ours), flatten(theirs)
        for key in sorted(ours.keys() & theirs.keys()):
            if ours[key] != theirs[key]:
                found.append(f"row {index} {key}: {ours[key]!r}, the limit {theirs[key]!r}")
        for key in sorted(theirs.keys() - ours.keys()):
            found.append(f"row {index} {key}: only in the limit")
    return found[:most]
