from rest_framework import viewsets

from participants.api.serializers import DepartmentSerializer, ProvincialOfficeSerializer
from participants.filtersets import DepartmentFilterSet, ProvincialOfficeFilterSet
from participants.models import Department, ProvincialOffice
from planpromo.api.conditional import PlanStructureMixin


class DepartmentViewSet(PlanStructureMixin, viewsets.ReadOnlyModelViewSet):
    """Central departments, with the other spellings the circulars use for them."""

    queryset = Department.objects.with_aliases()
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    ordering_fields = ["name", "name_zh", "kind"]


class ProvincialOfficeViewSet(PlanStructureMixin, viewsets.ReadOnlyModelViewSet):
    """The 32 provincial-level IP offices."""

    queryset = ProvincialOffice.objects.all()
    serializer_class = ProvincialOfficeSerializer
    filterset_class = ProvincialOfficeFilterSet
    ordering_fields = ["short_name", "name", "name_zh", "region", "kind", "code"]
