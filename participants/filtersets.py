import django_filters
from django.db.models import Q

from participants.choices import DepartmentKind, OfficeKind
from participants.models import Department, ProvincialOffice


class DepartmentFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices)
    search = django_filters.CharFilter(method="filter_search", label="Search name, Chinese name and aliases")

    class Meta:
        model = Department
        fields = ["kind"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(name_zh__icontains=value) | Q(aliases__spelling__icontains=value)
        ).distinct()


class ProvincialOfficeFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OfficeKind.choices)
    search = django_filters.CharFilter(method="filter_search", label="Search names")

    class Meta:
        model = ProvincialOffice
        fields = ["kind"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(short_name__icontains=value)
            | Q(name__icontains=value)
            | Q(region__icontains=value)
            | Q(name_zh__icontains=value)
        )
