"""The glossary of the workflow's words (locale/glossary.yaml): one Chinese term and one symbol per report state,
report status and role, for every page, the matrix and the PDF."""

import functools

import yaml
from django.conf import settings

GLOSSARY_FILE = settings.BASE_DIR / "locale" / "glossary.yaml"


@functools.cache
def glossary() -> dict:
    """{group: {value: {en, zh, symbol?, avoid?}}}, read once."""
    return yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))


def symbol(group: str, value: str) -> str:
    """The symbol of a state or status ("" for a value the glossary does not know)."""
    return glossary().get(group, {}).get(str(value), {}).get("symbol", "")
