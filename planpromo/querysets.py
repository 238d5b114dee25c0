"""Querysets the apps share."""

from django.db import models


class BulkWriteRefused(Exception):
    """Raised by bulk writes on audited models, which would bypass the audit trail."""


class AuditedQuerySet(models.QuerySet):
    """A queryset whose bulk writes are refused: the history library sees only saves through the ORM, so a
    bulk `update()` would change reports without a trace."""

    def update(self, **kwargs):
        raise BulkWriteRefused(f"{self.model.__name__}: bulk update() bypasses the audit trail; save each object")

    def bulk_update(self, objs, fields, batch_size=None):
        raise BulkWriteRefused(f"{self.model.__name__}: bulk_update() bypasses the audit trail; save each object")
