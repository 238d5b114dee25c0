"""Reads of the plan structure."""

from django.db.models import Exists, OuterRef, Q

from participants.models import ProvincialOffice
from programs.choices import SCOPES_WITH_OFFICE_ROWS, OfficeScope
from programs.models import WorkItem, WorkItemOffice


def offices_participating_in(work_item: WorkItem):
    """The offices that take part in the item, for every scope, as one query: all offices for scope `all`,
    the listed or confirmed ones for `listed`/`conditional`, none for `none`."""
    item = WorkItem.objects.filter(pk=work_item.pk)
    return ProvincialOffice.objects.filter(
        Q(Exists(item.filter(office_scope=OfficeScope.ALL)))
        | Q(
            Exists(item.filter(office_scope__in=SCOPES_WITH_OFFICE_ROWS))
            & Exists(WorkItemOffice.objects.filter(work_item=work_item, office=OuterRef("pk")))
        )
    )
