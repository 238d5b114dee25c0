"""Site-wide pages and what every page shares: the page mixin (title, breadcrumbs, navigation section), the
account pages (sign in, sign out, change password) and the sign-in requirement."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.urls import reverse_lazy
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's sign-in requirement for every view not marked `login_not_required`, with two changes:

    - the admin keeps its own sign-in page (its views check staff status themselves), so staff who open /admin/
      land on the admin's login rather than ours;
    - an htmx request gets `HX-Redirect` to the sign-in page instead of a 302, which htmx would follow in the
      background and swap the sign-in page into a fragment of the page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.namespaces and match.namespaces[0] == "admin":
            return None
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is None and self.role_required(request, view_func):
            raise PermissionDenied(_("Your account has no role in planpromo yet: ask an administrator to give it one."))
        return response

    @staticmethod
    def role_required(request, view_func) -> bool:
        """The API's rule for pages too: a signed-in user without a role (ROLE_CHECK, the permission module's
        has_role) sees no page but those marked `role_not_required` (signing out, changing the password)."""
        if not getattr(view_func, "login_required", True) or not getattr(view_func, "role_required", True):
            return False
        return request.user.is_authenticated and not import_string(settings.ROLE_CHECK)(request.user)

    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        if getattr(request, "htmx", False):
            # Come back to the page the user was on, not to the fragment URL htmx asked for.
            next_url = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(auth_views.redirect_to_login(next_url, self.get_login_url(view_func)).url)
        return response


def role_not_required(view_func):
    """Mark a view that a signed-in user without a role may open (LoginRequiredMiddleware)."""
    view_func.role_required = False
    return view_func


@dataclass(frozen=True)
class Crumb:
    """One step of a page's breadcrumbs; the page itself comes last, without a URL."""

    label: str
    url: str | None = None


class PageMixin:
    """What base.html expects of a page: `page_title`, `breadcrumbs` (a list of Crumb, the page last) and
    `nav_section` (the navigation entry to mark as current: "plan", "offices", "departments", "account")."""

    page_title = ""
    nav_section = ""

    def get_page_title(self):
        return self.page_title

    def get_breadcrumbs(self):
        return [Crumb(self.get_page_title())]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=self.get_page_title(),
            breadcrumbs=self.get_breadcrumbs(),
            nav_section=self.nav_section,
        )
        return context


class LoginView(PageMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    page_title = _("Sign in")


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires), then the sign-in page with a confirmation."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response


class PasswordChangeView(PageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")
    page_title = _("Change password")
    nav_section = "account"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
