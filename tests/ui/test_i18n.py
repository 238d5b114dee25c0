"""English and Simplified Chinese: Accept-Language, the language switch, Chinese names of offices and departments."""

import pytest
from django.core.management import call_command

from participants.models import Department

pytestmark = pytest.mark.django_db


def test_accept_language_chinese_shows_chinese_labels_and_names(signed_in_client):
    html = signed_in_client.get("/offices/Guangdong/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "广东省知识产权局" in html
    assert "省级知识产权局" in html  # the eyebrow "Provincial office"
    assert "责任部门" in html  # the table header "Responsible departments"
    assert "Guangdong Intellectual Property Office" not in html


def test_english_by_default(signed_in_client):
    html = signed_in_client.get("/offices/Guangdong/").content.decode()
    assert '<html lang="en">' in html
    assert "Guangdong Intellectual Property Office" in html
    assert "广东省知识产权局" not in html


def test_language_switch_sets_the_language_and_returns(signed_in_client):
    response = signed_in_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/plans/2012/items/II.3/"})
    assert response.status_code == 302
    assert response.url == "/plans/2012/items/II.3/"
    html = signed_in_client.get("/plans/2012/items/II.3/").content.decode()
    assert "参与的知识产权局" in html
    assert ">广东</a>" in html and ">北京</a>" in html  # office short names in Chinese
    department = Department.objects.get(name="Patent Administration Department")
    assert f'<a href="/departments/{department.pk}/">专利管理司</a>' in html


def test_language_switch_works_before_signing_in(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/").content.decode()
    assert "<h1>登录</h1>" in html
    assert "用户名" in html  # Django's own catalogue labels the form


def test_header_offers_the_other_language(signed_in_client):
    html = signed_in_client.get("/offices/").content.decode()
    assert 'name="language" value="zh-hans" lang="zh-hans"' in html
    html = signed_in_client.get("/offices/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert 'name="language" value="en" lang="en"' in html


def test_dates_follow_the_language(signed_in_client):
    english = signed_in_client.get("/plans/2012/").content.decode()
    chinese = signed_in_client.get("/plans/2012/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "2011年" in chinese
    assert "2011年" not in english


def test_catalogue_is_complete_and_compiles():
    """Every entry of the Chinese catalogue is translated and none is fuzzy (a fuzzy one is not used)."""
    from django.conf import settings

    po = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""') or 'msgstr[0] ""' in e]
    assert untranslated == []
    assert "#, fuzzy" not in text
    call_command("compilemessages", locale=["zh_Hans"], verbosity=0, ignore_patterns=[".venv", "node_modules", "var"])
