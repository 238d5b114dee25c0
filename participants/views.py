"""Account pages of the people who use the site: their personal API tokens."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View

from participants import services
from participants.forms import ApiTokenForm
from participants.models import ApiToken
from planpromo.views import Crumb, PageMixin


class ApiTokensView(PageMixin, FormView):
    """The signed-in user's API tokens: list, create (the token is shown once, in the response to the creation,
    and never stored in clear), revoke (ApiTokenRevokeView)."""

    template_name = "participants/tokens.html"
    form_class = ApiTokenForm
    page_title = _("API tokens")
    nav_section = "tokens"

    def get_breadcrumbs(self):
        return [Crumb(_("Account")), Crumb(self.get_page_title())]

    def get_context_data(self, **kwargs):
        tokens = list(services.api_tokens_of(user=self.request.user))
        for token in tokens:
            token.is_expired = services.token_is_expired(token)
        return super().get_context_data(tokens=tokens, **kwargs)

    def form_valid(self, form):
        try:
            instance, token = services.api_token_create(
                user=self.request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                request=self.request,
            )
        except services.TokenLimitReached as refused:
            form.add_error(None, str(refused))
            return self.form_invalid(form)
        # Rendered, not redirected: the token exists in clear only in this response.
        response = self.render_to_response(
            self.get_context_data(form=ApiTokenForm(), new_token=token, created=instance)
        )
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(View):
    """Revoke one of the user's own tokens (POST), by its key prefix; another user's token is not found."""

    def post(self, request):
        token = get_object_or_404(ApiToken, user=request.user, token_key=request.POST.get("key", ""))
        services.api_token_revoke(token=token, user=request.user, request=request)
        messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
        return redirect("participants:tokens")
