from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(sender, using, verbosity=1, **kwargs):
    """After every `migrate`: the database cache's table (CACHE_URL unset or db://), created if missing. Django's
    `createcachetable` does nothing when the table exists or another backend is configured."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))


class PlanpromoConfig(AppConfig):
    """What the apps share; its ready() connects the audit log's and the lock-out's signal receivers, and the
    creation of the shared cache's table after migrations."""

    name = "planpromo"
    verbose_name = "planpromo"

    def ready(self):
        from planpromo import audit, middleware, signin  # noqa: F401  (connect their signal receivers)

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="planpromo.create_cache_table")
