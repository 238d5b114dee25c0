"""Forms of the report pages. They only parse and check what the browser sent; the services in
tracking/services.py validate again and write (their ValidationError is mapped back onto these forms)."""

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programs.models import ReportingPeriod, WorkItem
from programs.templatetags.plan_tags import display_name, short_display_name
from tracking.choices import NotificationChannel, NotificationKind
from tracking.cleaning import file_too_large_message
from tracking.models import Report
from tracking.notifications import channel_of

TEXTAREA = {"rows": 4}


class VersionForm(forms.Form):
    """The version of the report the user read (optimistic locking), sent back with every change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReportForm(VersionForm, forms.ModelForm):
    """The fields of a report (Report.EDITABLE_FIELDS, as the model declares them), one number per target of its
    work item (`target_<id>`), the version the user read and an optional file to attach.

    The form parses what the browser sent; the service validates the whole report (its rules span fields the form
    does not have: the organisation, the period) and its errors come back onto the form (add_service_errors)."""

    attachment = forms.FileField(
        label=_("Attach a file"),
        required=False,
        help_text=_("Optional: a PDF, an office document or an image, attached when you save."),
    )

    class Meta:
        model = Report
        fields = Report.EDITABLE_FIELDS
        widgets = {
            "percent_complete": forms.NumberInput(attrs={"min": 0, "max": 100}),
            **{name: forms.Textarea(attrs=TEXTAREA) for name in ("summary", "achievements", "problems", "next_steps")},
        }
        help_texts = {
            "percent_complete": _("A whole number from 0 to 100."),
            "summary": _("Where the work item stands."),
        }

    def __init__(self, *args, targets=(), require_version=False, upload_too_large=False, **kwargs):
        """`require_version`: editing, the version the page was read at must come back (a post without it would
        overwrite a colleague's change unseen). `upload_too_large`: planpromo.uploads stopped reading the file."""
        super().__init__(*args, **kwargs)
        self.upload_too_large, self.require_version = upload_too_large, require_version
        for name in Report.EDITABLE_FIELDS:  # the model's own limits (0 to 100 percent), at the field that shows them
            field = self.fields[name]
            field.validators += [v for v in Report._meta.get_field(name).validators if v not in field.validators]
        self.targets = list(targets)
        for target in self.targets:
            about = _("about %(quantity)s") if target.approximate else "%(quantity)s"
            self.fields[self.target_field(target)] = forms.IntegerField(
                label=capfirst(_("%(description)s so far") % {"description": target.description}),
                min_value=0,
                required=False,
                help_text=_("Target: %(quantity)s") % {"quantity": about % {"quantity": f"{target.quantity:,}"}},
            )
        # The attachment and target fields come after the text; the hidden version anywhere.
        order = [*Report.EDITABLE_FIELDS, *(self.target_field(t) for t in self.targets), "attachment", "version"]
        self.order_fields(order)

    def clean(self):
        cleaned = super().clean()
        if self.require_version and cleaned.get("version") is None and "version" not in self.errors:
            # At the top of the form: the field is hidden.
            self.add_error(
                None,
                _(
                    "This form is out of date (it does not say which version of the report it edits): reload the "
                    "page and make your changes again."
                ),
            )
        if self.upload_too_large:
            self.add_error("attachment", file_too_large_message())
        return cleaned

    @staticmethod
    def target_field(target) -> str:
        return f"target_{target.pk}"

    def report_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in Report.EDITABLE_FIELDS}

    def _post_clean(self):
        """No model validation here: the service runs it on the whole report (see the class docstring)."""

    def target_values(self) -> list:
        """[(target, value)] for the targets given a value: an empty field removes the value."""
        values = ((target, self.cleaned_data.get(self.target_field(target))) for target in self.targets)
        return [(target, value) for target, value in values if value is not None]

    def note_dropped_file(self):
        """A form shown again with errors cannot keep the file chosen (a browser never refills a file input):
        say so at the file field, by the file's name, rather than drop it silently."""
        upload = self.files.get("attachment") if self.is_bound else None
        if upload and self.errors and "attachment" not in self.errors:
            self.add_error(
                "attachment",
                _("%(name)s was not attached, as the form has errors: choose it again.") % {"name": upload.name},
            )

    def add_service_errors(self, error: ValidationError):
        """Show the service's errors at the fields they name, the others at the top of the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = {"file": "attachment", NON_FIELD_ERRORS: None}.get(name, name)
            self.add_error(field if field in self.fields else None, errors)


class WorkItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


class ReportStartForm(forms.Form):
    """Choose the work item and period of a new report (GET): only the items the organisation takes part in."""

    work_item = WorkItemChoiceField(label=_("Work item"), queryset=WorkItem.objects.none())
    period = forms.ModelChoiceField(label=_("Reporting period"), queryset=ReportingPeriod.objects.none())

    def __init__(self, *args, work_items, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_item"].queryset = work_items
        self.fields["period"].queryset = periods


class ReviewForm(VersionForm):
    """Accept (comment optional) or return (comment required) a submitted report."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, comment_required=False, **kwargs):
        # The report page shows the accept and the return form together: ids of their own (the names stay), so
        # that each label points at its own box.
        kwargs.setdefault("auto_id", "id_return_%s" if comment_required else "id_accept_%s")
        super().__init__(*args, **kwargs)
        if comment_required:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("What must change")
            self.fields["comment"].error_messages["required"] = _(
                "Say what must change: a returned report needs a comment."
            )

    def add_service_errors(self, error: ValidationError):
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error("comment" if name == "comment" else None, errors)
        else:
            self.add_error(None, error)


def localise_filter_form(form):
    """The page's labels (translated) and choice names for the form of tracking.filtersets.ReportFilterSet; the
    work item choices with their program joined, so that listing them is one query."""
    labels = {
        "program": _("Program"),
        "work_item": _("Work item"),
        "office": _("Office"),
        "department": _("Department"),
        "period": _("Reporting period"),
        "status": _("Status"),
        "state": _("State"),
    }
    for name, label in labels.items():
        form.fields[name].label = label
        form.fields[name].required = False
    work_item = form.fields["work_item"]
    work_item.queryset = WorkItem.objects.select_related("program")
    work_item.label_from_instance = lambda obj: f"{obj.code} {obj.title}"
    form.fields["office"].label_from_instance = short_display_name
    form.fields["department"].label_from_instance = display_name
    for name in ("program", "work_item", "office", "department", "period"):
        # The API takes several of each; the page offers one (a select with "All" first).
        form.fields[name].empty_label = _("All")
        form.fields[name].widget = forms.Select(choices=form.fields[name].choices)
    form.fields["period"].queryset = ReportingPeriod.objects.select_related("plan").order_by("-plan__year", "start")
    form.fields["period"].label_from_instance = lambda obj: obj.label
    for name in ("status", "state"):
        form.fields[name].widget = forms.CheckboxSelectMultiple(choices=form.fields[name].choices)
    return form


class ImportUploadForm(forms.Form):
    """A filled report template to preview (tracking.spreadsheets reads it, tracking.imports checks it)."""

    file = forms.FileField(
        label=_("Filled template"),
        help_text=_("The template you downloaded, filled in: XLSX, or CSV with the same columns."),
    )


class ImportConfirmForm(forms.Form):
    """The previewed rows (signed, so that a page left open cannot be confused with another file), imported again
    from scratch when confirmed: every check runs again."""

    payload = forms.CharField(widget=forms.HiddenInput)
    submit_all = forms.BooleanField(label=_("Submit every imported report for review"), required=False)


class NotificationPreferenceForm(forms.Form):
    """The language of the user's messages, and one choice per kind of notification: in the app only, or in the
    app and by e-mail."""

    language = forms.ChoiceField(label=_("Language of the messages"), choices=settings.LANGUAGES)

    def __init__(self, *args, preference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = preference.language or translation.get_language()
        for kind in NotificationKind:
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(
                label=kind.label,
                choices=NotificationChannel.choices,
                widget=forms.RadioSelect,
                initial=channel_of(preference, kind.value),
            )

    def channels(self) -> dict[str, str]:
        return {kind.value: self.cleaned_data[f"kind_{kind.value}"] for kind in NotificationKind}
