from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def revoke_tokens_of_deactivated(sender, instance, **kwargs):
    """A deactivated account keeps no API token, so that reactivating it does not revive tokens that were handed
    out before (every front door that deactivates, the admin included, saves the user; this is the one hook)."""
    if not instance.is_active:
        from participants.services import api_tokens_revoke_all

        api_tokens_revoke_all(user=instance, reason="deactivated")


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        post_save.connect(
            revoke_tokens_of_deactivated,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="participants.revoke_tokens_of_deactivated",
        )
        from planpromo.conditional import PLAN_STRUCTURE, bump_on_change

        # Departments (and their other spellings) and offices are part of the plan structure the API caches.
        bump_on_change(
            PLAN_STRUCTURE,
            self.get_model("Department"),
            self.get_model("DepartmentAlias"),
            self.get_model("ProvincialOffice"),
        )
