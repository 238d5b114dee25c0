"""`{% load glossary %}{{ report.state|symbol:"state" }}`: the glossary's symbol of a state or status."""

from django import template

from planpromo import glossary

register = template.Library()


@register.filter
def symbol(value, group):
    return glossary.symbol(group, value)
