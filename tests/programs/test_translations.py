"""The plan's content in English and Chinese (django-modeltranslation, programs/translation.py): loaded from the
fixture's `_zh_hans` keys, shown in Chinese mode on the pages, the PDF and the API (Accept-Language or `lang`),
English where a translation is missing."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from programs.models import Plan, Program, ReportingPeriod, Target, WorkItem
from programs.services import FIXTURES_DIR, plan_structure_load
from tests.ui.test_pages_progress import pdf_text

pytestmark = pytest.mark.django_db

DOCUMENT_NUMBER_ZH = "国知发规字〔2011〕139号"
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z][a-z]{2,}")  # an English word (abbreviations such as "NPL" may stay)


def chinese(text):
    return bool(text) and HAN.search(text) and not LATIN_WORD.search(text)


def test_every_text_of_the_2012_plan_has_a_chinese_translation():
    plan = Plan.objects.get(year=2012)
    assert plan.document_number_zh_hans == DOCUMENT_NUMBER_ZH
    assert plan.title_zh_hans == "2012年全国专利事业发展战略推进计划"
    assert plan.issuing_body_zh_hans == "国家知识产权局"
    for field in ("circular_title", "strategy", "addressees", "preamble"):
        assert chinese(getattr(plan, f"{field}_zh_hans")), field
    checks = [
        *((p, ("name", "objective")) for p in Program.objects.filter(plan=plan)),
        *((w, ("title", "text")) for w in WorkItem.objects.filter(program__plan=plan)),
        *((t, ("description",)) for t in Target.objects.filter(work_item__program__plan=plan)),
        *((p, ("label",)) for p in ReportingPeriod.objects.filter(plan=plan)),
    ]
    assert len(checks) == 10 + 34 + 6 + 5
    for obj, fields in checks:
        for field in fields:
            assert chinese(getattr(obj, f"{field}_zh_hans")), (obj.pk, field)
    conditional = WorkItem.objects.get(program__plan=plan, office_scope="conditional")
    assert chinese(conditional.office_condition_zh_hans)


def test_the_active_language_picks_the_text():
    item = WorkItem.objects.select_related("program__plan").get(program__plan__year=2012, program__number=2, number=3)
    assert item.title == "Explore the setup of a patent utilization system"
    with translation.override("zh-hans"):
        assert item.title == "探索建立专利运营体系"
        assert item.program.name == "专利运用促进工程"
        assert item.program.plan.document_number == DOCUMENT_NUMBER_ZH
    assert item.program.plan.document_number == "G. ZH. F. G. Z. [2011] No. 139"


def test_official_wording_is_a_fixture_change_only(tmp_path):
    """Replace a Chinese text in the fixture and run the loader: it updates that text, the English stays; a
    translation dropped from the fixture is emptied, and the page falls back to English."""
    source = (FIXTURES_DIR / "plans" / "2012.yaml").read_text(encoding="utf-8")
    edited = source.replace('name_zh_hans: "专利运用促进工程"', 'name_zh_hans: "专利运用促进工程（正式译名）"', 1)
    edited = edited.replace('    title_zh_hans: "探索建立专利运营体系"\n', "", 1)
    assert edited.count("正式译名") == 1 and '探索建立专利运营体系"\n' not in edited
    path = Path(tmp_path) / "2012.yaml"
    path.write_text(edited, encoding="utf-8")

    result = plan_structure_load(paths=[path])

    assert result.updated == {"programs": 1, "work items": 1}
    assert not +result.created and not +result.deleted
    program = Program.objects.get(plan__year=2012, number=2)
    item = program.work_items.get(number=3)
    with translation.override("zh-hans"):
        assert program.name == "专利运用促进工程（正式译名）"
        assert item.title == "Explore the setup of a patent utilization system"  # the fallback
        assert item.text.startswith("探索建立专利运营体系。")
    assert program.name == "Patent Utilization Promotion"
    assert plan_structure_load(paths=[path]).changed is False


def test_localized_reads_a_translated_field_through_a_relation():
    from programs.translation import localized
    from tracking.models import Report

    item = WorkItem.objects.get(program__plan__year=2012, program__number=2, number=3)
    Target.objects.create(work_item=item, position=9, quantity=1, description="Only in English")
    rows = Target.objects.filter(work_item=item).order_by("position")
    with translation.override("zh-hans"):
        assert list(rows.values_list(localized("work_item__title"), flat=True)) == ["探索建立专利运营体系"]
        assert list(Report.objects.none().values(title=localized("work_item__title"))) == []
    WorkItem.objects.filter(pk=item.pk).update(title_zh_hans="")
    with translation.override("zh-hans"):
        assert list(rows.values_list(localized("work_item__title"), flat=True)) == [item.title_en]  # the fallback


# --- Pages ---------------------------------------------------------------------------------------------------------
ZH = {"Accept-Language": "zh-hans"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/plans/2012/", [DOCUMENT_NUMBER_ZH, "2012年全国专利事业发展战略推进计划", "专利质量提升工程", "非官方译文"]),
        ("/plans/2012/programs/2/", ["专利运用促进工程", "探索建立专利运营体系", "加强专利运用，建立以专利为纽带"]),
        (
            "/plans/2012/items/IV.2/",
            ["实施知识产权优势企业培育工程", "培育的知识产权优势企业", "专利助推企业转型升级工程"],
        ),
        ("/plans/2012/matrix/", ["专利运用促进工程", "探索建立专利运营体系"]),
        ("/reports/2012/summary/", [DOCUMENT_NUMBER_ZH, "专利质量提升工程", "探索建立专利运营体系"]),
    ],
)
def test_pages_show_the_plan_in_chinese(signed_in_client, url, expected):
    html = signed_in_client.get(url, headers=ZH).content.decode()
    for text in expected:
        assert text in html, text
    english_texts = ["Patent Utilization Promotion", "Explore the setup of a patent utilization system", "G. ZH. F."]
    english_texts += ["enterprises with an IP advantage", "Foster 50 enterprises"]  # a target and its source
    for english in english_texts:
        assert english not in html


def test_plan_page_in_english_has_no_translation_note(signed_in_client):
    html = signed_in_client.get("/plans/2012/").content.decode()
    assert "G. ZH. F. G. Z. [2011] No. 139" in html and "unofficial translation" not in html


def pdf_outline(pdf: bytes) -> list[str]:
    """The titles of the PDF's outline (its headings), which it holds as UTF-16 hex strings; the page text itself
    is glyph ids."""
    return [bytes.fromhex(h.decode()).decode("utf-16-be") for h in re.findall(rb"/Title <feff([0-9a-f]+)>", pdf)]


def test_summary_pdf_in_chinese(signed_in_client):
    outline = pdf_outline(pdf_text(signed_in_client.get("/reports/2012/summary.pdf", headers=ZH).content))
    assert outline[0] == "2012年全国专利事业发展战略推进计划"
    assert "I 专利质量提升工程" in outline
    assert "II.3 探索建立专利运营体系" in outline
    assert not [title for title in outline if LATIN_WORD.search(title)]


# --- API -----------------------------------------------------------------------------------------------------------
def test_api_follows_accept_language_and_lang(auth_client):
    english = auth_client.get("/api/v1/plans/").json()["results"][0]
    assert english["document_number"] == "G. ZH. F. G. Z. [2011] No. 139"
    chinese_by_header = auth_client.get("/api/v1/plans/", headers=ZH)
    assert chinese_by_header.json()["results"][0]["document_number"] == DOCUMENT_NUMBER_ZH
    assert chinese_by_header["Content-Language"] == "zh-hans"
    by_parameter = auth_client.get("/api/v1/programs/?lang=zh-hans&year=2012", headers={"Accept-Language": "en"})
    assert [p["name"] for p in by_parameter.json()["results"]][:2] == ["专利质量提升工程", "专利运用促进工程"]
    back = auth_client.get("/api/v1/programs/?lang=en&year=2012", headers=ZH).json()["results"][0]
    assert back["name"] == "Patent Quality Enhancement"


def test_api_unknown_lang_is_a_400(auth_client):
    response = auth_client.get("/api/v1/plans/?lang=klingon")
    assert response.status_code == 400
    assert "en, zh-hans" in response.json()["lang"][0]


@pytest.fixture
def signed_in_client(client, user):
    client.force_login(user)
    return client
