"""`{% load tables %}{% columns _("Work item") "num" _("Percent complete") as columns %}`: the header row of a list
table, for the skeleton in templates/includes/table.html (which holds all of the table's markup)."""

from dataclasses import dataclass

from django import template

register = template.Library()

NUMERIC = "num"  # before a label: a column of figures, right-aligned (a filter cannot follow _("…") in a tag)


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@register.simple_tag
def columns(*labels):
    """The columns in order, each a label; "num" before a label makes its column numeric."""
    found, numeric = [], False
    for label in labels:
        if label == NUMERIC:
            numeric = True
            continue
        found.append(Column(label, numeric))
        numeric = False
    return found
