"""Pages of the user's notifications: the list (with mark read), and the preferences (per kind: in the app only,
or in the app and by e-mail; the language of the messages). Only the user's own: tracking.selectors.notifications_of
and tracking.permissions.can_read_notification."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView

from planpromo.views import Crumb, PageMixin
from tracking import notifications, selectors
from tracking.forms import NotificationPreferenceForm


class NotificationListView(PageMixin, ListView):
    """The user's notifications, newest first, 50 a page, unread ones marked; each opens the page that acts on it
    (marking it read), or is marked read where it stands."""

    template_name = "tracking/notifications/list.html"
    nav_section = "notifications"
    page_title = gettext_lazy("Notifications")
    paginate_by = 50

    def get_queryset(self):
        return selectors.notifications_of(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = [(n, *notifications.render(n)) for n in context["object_list"]]
        return context


class NotificationReadView(View):
    """POST /notifications/<id>/read/: mark one read; with `open`, go on to the page it links to."""

    def post(self, request, pk):
        notification = get_object_or_404(selectors.notifications_of(user=request.user), pk=pk)
        notifications.notification_mark_read(notification=notification, user=request.user)
        if "open" in request.POST:
            return redirect(notification.url)
        return redirect("tracking:notification_list")


class NotificationReadAllView(View):
    """POST /notifications/read-all/: mark every notification of the user read."""

    def post(self, request):
        count = notifications.notifications_mark_all_read(user=request.user)
        messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
        return redirect("tracking:notification_list")


class NotificationPreferencesView(PageMixin, FormView):
    """Per kind of notification, in the app only or also by e-mail, and the language of the messages."""

    template_name = "tracking/notifications/preferences.html"
    nav_section = "notifications"
    page_title = gettext_lazy("Notification preferences")
    form_class = NotificationPreferenceForm

    def get_breadcrumbs(self):
        return [Crumb(_("Notifications"), "/notifications/"), Crumb(self.get_page_title())]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "preference": notifications.preference_of(self.request.user)}

    def form_valid(self, form):
        notifications.preference_set(
            user=self.request.user, language=form.cleaned_data["language"], channels=form.channels()
        )
        messages.success(self.request, _("Your notification preferences have been saved."))
        return redirect("tracking:notification_preferences")
