import functools
import operator

import django_filters
from django.db.models import Q

from participants.choices import DepartmentKind, OfficeKind
from participants.models import Department, ProvincialOffice


class SearchFilterSet(django_filters.FilterSet):
    """`?search=` looks for its words in `search_fields` (case-insensitive); a field across a to-many relation
    (with "__") could match a row twice, so the rows are then made distinct."""

    search_fields: tuple[str, ...] = ()

    def filter_search(self, queryset, name, value):
        condition = functools.reduce(operator.or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields))
        queryset = queryset.filter(condition)
        return queryset.distinct() if any("__" in f for f in self.search_fields) else queryset


class DepartmentFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices)
    search = django_filters.CharFilter(method="filter_search", label="Search name, Chinese name and aliases")
    search_fields = ("name", "name_zh", "aliases__spelling")

    class Meta:
        model = Department
        fields = ["kind"]


class ProvincialOfficeFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=OfficeKind.choices)
    search = django_filters.CharFilter(method="filter_search", label="Search names")
    search_fields = ("short_name", "name", "region", "name_zh")

    class Meta:
        model = ProvincialOffice
        fields = ["kind"]
