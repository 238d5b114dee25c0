"""The plan's content in every language of LANGUAGES (django-modeltranslation): each field below gets a column per
language (`title_en`, `title_zh_hans`), and reading `title` gives the active language's text, English when that one
is empty. The fixtures hold both (`title` and `title_zh_hans`); `load_plan` writes them."""

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.translator import TranslationOptions, register
from modeltranslation.utils import build_localized_fieldname

from programs.models import Plan, Program, ReportingPeriod, Target, WorkItem


@register(Plan)
class PlanTranslationOptions(TranslationOptions):
    fields = ("title", "circular_title", "document_number", "issuing_body", "strategy", "addressees", "preamble")


@register(ReportingPeriod)
class ReportingPeriodTranslationOptions(TranslationOptions):
    fields = ("label",)


@register(Program)
class ProgramTranslationOptions(TranslationOptions):
    fields = ("name", "objective")


@register(WorkItem)
class WorkItemTranslationOptions(TranslationOptions):
    fields = ("title", "text", "office_condition")


@register(Target)
class TargetTranslationOptions(TranslationOptions):
    fields = ("description",)


def localized(path: str):
    """The active language's text of a translated field reached through a relation (`work_item__title`), English
    where it is empty: modeltranslation rewrites a model's own fields in `.values()`, not those of related models."""
    language = get_language() or settings.LANGUAGE_CODE
    english = F(build_localized_fieldname(path, settings.LANGUAGE_CODE))
    if language == settings.LANGUAGE_CODE:
        return english
    translated = NullIf(F(build_localized_fieldname(path, language)), Value(""))
    return Coalesce(translated, english, output_field=CharField())
