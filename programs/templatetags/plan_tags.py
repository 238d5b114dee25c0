"""Template helpers for plan pages: names in the language of the page, numbers with digit grouping."""

from django import template
from django.utils import formats
from django.utils.translation import get_language

from participants.models import Department, ProvincialOffice

register = template.Library()


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


@register.filter
def display_name(obj) -> str:
    """An office's or department's full name in the page's language: the Chinese name in Chinese mode (the
    English one where the data has none), the English name otherwise."""
    if isinstance(obj, ProvincialOffice | Department) and _chinese() and obj.name_zh:
        return obj.name_zh
    return getattr(obj, "name", str(obj))


@register.filter
def short_display_name(obj) -> str:
    """An office's short name ("Guangdong", "广东") in the page's language; other objects as display_name."""
    if isinstance(obj, ProvincialOffice):
        return obj.short_name_zh if _chinese() and obj.short_name_zh else obj.short_name
    return display_name(obj)


@register.filter
def display_region(office: ProvincialOffice) -> str:
    """An office's region ("Guangdong Province", "广东省") in the page's language."""
    return office.region_zh if _chinese() and office.region_zh else office.region


@register.filter
def grouped(value) -> str:
    """A number with the language's digit grouping (12,000), whatever USE_THOUSAND_SEPARATOR says."""
    return formats.number_format(value, force_grouping=True)
