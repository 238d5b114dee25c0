"""The Chinese catalogue is current: every string the code and templates mark for translation today is in
locale/zh_Hans/LC_MESSAGES/django.po, translated (not fuzzy). A new string that nobody extracted would show in
English on the Chinese pages; this extracts afresh (Django's makemessages, into a temporary copy of the sources) and
compares with gettext's msgcmp."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

SOURCES = ["planpromo", "participants", "programs", "tracking", "templates"]
COMMITTED = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("msgcmp") is None, reason="needs gettext (apt-get install gettext)")
def test_every_marked_string_is_in_the_catalogue_and_translated(tmp_path, settings, monkeypatch):
    for name in SOURCES:
        shutil.copytree(Path(settings.BASE_DIR) / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    extracted = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    assert "msgid" in extracted.read_text()
    result = subprocess.run(["msgcmp", str(COMMITTED), str(extracted)], capture_output=True, text=True)
    assert result.returncode == 0, (
        "strings marked for translation that locale/zh_Hans/LC_MESSAGES/django.po lacks or leaves untranslated "
        f"(run `make messages`, translate, `make setup`):\n{result.stderr}"
    )
