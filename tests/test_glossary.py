"""locale/glossary.yaml is the one word for each report state, status and role: the catalogue translates each term
to it and uses no variant, the choices show it, and every page and the matrix show the same symbol."""

import gettext

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from participants.choices import Role
from planpromo.glossary import glossary
from tests.helpers import compile_catalogues
from tracking.choices import ReportState, ReportStatus

CHOICES = {"state": ReportState, "status": ReportStatus, "role": Role}


@pytest.fixture(scope="module")
def catalogue():
    compile_catalogues()
    path = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as mo:
        return {k: v for k, v in gettext.GNUTranslations(mo)._catalog.items() if isinstance(k, str) and k}


def terms():
    return [(group, key, entry) for group, entries in glossary().items() for key, entry in entries.items()]


@pytest.mark.parametrize(("group", "key", "entry"), terms(), ids=lambda v: v if isinstance(v, str) else "")
def test_catalogue_translates_each_term_to_the_glossary(catalogue, group, key, entry):
    for msgid in {entry["en"], entry["en"].lower()}:
        if msgid in catalogue:
            assert catalogue[msgid] == entry["zh"], (msgid, catalogue[msgid])
    assert entry["en"] in catalogue or entry["en"].lower() in catalogue


def test_catalogue_uses_no_variant_of_a_term(catalogue):
    variants = {variant: entry["zh"] for _g, _k, entry in terms() for variant in entry.get("avoid", [])}
    found = [(msgid, text, variant) for msgid, text in catalogue.items() for variant in variants if variant in text]
    assert found == []


@pytest.mark.parametrize("group", CHOICES)
def test_choices_show_the_glossary_terms(group):
    with translation.override("zh-hans"):
        assert {value: str(label) for value, label in CHOICES[group].choices} == {
            key: entry["zh"] for key, entry in glossary()[group].items()
        }


def test_every_state_has_one_symbol_on_every_page():
    from tracking.models import Report
    from tracking.symbols import STATE_SYMBOLS

    for state in ReportState:
        expected = glossary()["state"][state.value]["symbol"]
        report = Report(state=state, status=ReportStatus.ON_TRACK)
        for template in ["tracking/reports/includes/state.html", "tracking/pages/includes/state_badge.html"]:
            assert f'aria-hidden="true">{expected}</span>' in render_to_string(template, {"report": report}), template
        assert STATE_SYMBOLS[state] == expected  # the matrix
    symbols = [entry["symbol"] for entry in glossary()["state"].values()]
    symbols += [entry["symbol"] for entry in glossary()["status"].values()]
    assert len(set(symbols)) == len(symbols)  # no symbol means two things
