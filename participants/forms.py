"""Forms of the account pages."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from participants.services import MAX_TOKEN_DAYS


def default_token_days() -> int | None:
    return settings.API_TOKEN_TTL.days if settings.API_TOKEN_TTL else None


class ApiTokenForm(forms.Form):
    """A new personal API token: its name and, optionally, how many days it lives."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “R scripts on my laptop”."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = default_token_days()
        self.fields["expires_in_days"].help_text = (
            _("Leave empty for the default lifetime (%(days)s days).") % {"days": days}
            if days
            else _("Leave empty for a token that lives until you revoke it.")
        )
