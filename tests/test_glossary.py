"""locale/glossary.yaml is the one word for each report state, status and role: the catalogue translates each term
to it and uses no variant, the choices show it, and every page and the matrix show the same symbol."""

import gettext
import re

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
        badge = render_to_string("includes/badge.html", {"report": report, "kind": "state"})  # every page's badge
        assert f'aria-hidden="true">{expected}</span> {state.label}</span>' in badge
        assert STATE_SYMBOLS[state] == expected  # the matrix
    for status in ReportStatus:
        expected = glossary()["status"][status.value]["symbol"]
        report = Report(state=ReportState.DRAFT, status=status)
        badge = render_to_string("includes/badge.html", {"report": report, "kind": "status"})
        assert f'aria-hidden="true">{expected}</span> {status.label}</span>' in badge
        counted = render_to_string("includes/badge.html", {"kind": "status", "value": status.value, "label": "x"})
        assert f'aria-hidden="true">{expected}</span> x</span>' in counted  # the status counts and the summary
    symbols = [entry["symbol"] for entry in glossary()["state"].values()]
    symbols += [entry["symbol"] for entry in glossary()["status"].values()]
    assert len(set(symbols)) == len(symbols)  # no symbol means two things


def test_the_badges_and_the_charts_use_the_same_status_colours():
    from tracking.symbols import STATUS_COLOURS

    css = (settings.BASE_DIR / "static" / "css" / "dashboard.css").read_text(encoding="utf-8")
    found = re.findall(r"--status-([a-z-]+): (#[0-9a-f]{6});", css)
    badges = {name.replace("-", "_"): colour for name, colour in found if not name.endswith("-tint")}
    assert badges == {status.value: colour for status, colour in STATUS_COLOURS.items()}
