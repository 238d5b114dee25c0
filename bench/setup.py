"""Prepares a benchmark run inside Django (run by bench/run.py with the bench's DATABASE_URL): the API tokens and
the signed-in session of the load generator, the free report slots for the submission scenario, the plan year the
reads ask for (2019, or the latest plan at a smaller scale), and the URLs of the pages found by their URL names (the
participation matrix, the completeness page, the annual summary PDF) if the site has them.

Writes out/config.json and out/slots-<n>.lua (one list of slots per run, so that no two runs write the same
report)."""

import json
import os
import random
import sys
from pathlib import Path

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, get_resolver, reverse  # noqa: E402

from participants.choices import Role  # noqa: E402
from participants.models import ApiToken, Profile, ProvincialOffice  # noqa: E402
from programs.models import Plan  # noqa: E402
from tracking import generate  # noqa: E402

YEAR = 2019  # a plan year in the middle of the large scale's ten


def url_names(patterns=None, namespace="") -> list[str]:
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.append(f"{namespace}{pattern.name}")
    return names


def page_url(word: str, year: int) -> str | None:
    """A page of `year` found by its URL name (…`word`…), if the site has one: a page that takes the year in its
    path first (a name without one may only redirect to the current plan)."""
    names = [name for name in url_names() if word in name]
    for kwargs, query in (({"year": year}, ""), ({}, f"?year={year}")):
        for name in names:
            try:
                return reverse(name, kwargs=kwargs) + query
            except NoReverseMatch:
                continue
    return None


def main(out: Path, runs: list[str]):
    out.mkdir(parents=True, exist_ok=True)
    analyst, _ = get_user_model().objects.get_or_create(username="bench-analyst")
    Profile.objects.update_or_create(user=analyst, defaults={"role": Role.ANALYST})
    _, analyst_token = ApiToken.objects.create(user=analyst, name="bench")
    client = Client()
    client.force_login(analyst)
    session = client.cookies["sessionid"].value

    accounts = generate.accounts_ensure()
    tokens = {}
    for office_id, user in accounts.office.items():
        _, tokens[office_id] = ApiToken.objects.create(user=user, name="bench")
    years = sorted(Plan.objects.values_list("year", flat=True))
    year = int(os.environ.get("BENCH_YEAR") or (YEAR if YEAR in years else years[-1]))
    slots = [slot for slot in generate.free_slots(years, seed=99) if slot.office is not None]
    random.Random(99).shuffle(slots)
    per_run = len(slots) // len(runs)
    for index, run in enumerate(runs):
        chosen = slots[index * per_run : (index + 1) * per_run]
        lines = ",\n".join(f'{{{s.item},{s.period},"{tokens[s.office]}"}}' for s in chosen)
        (out / f"slots-{run}.lua").write_text(f"return {{\n{lines}\n}}\n")

    config = {
        "year": year,
        "analyst_token": analyst_token,
        "session": session,
        "office": ProvincialOffice.objects.get(short_name="Guangdong").pk,
        "matrix_url": page_url("matrix", year),
        "completeness_url": page_url("completeness", year),
        "pdf_url": page_url("summary_pdf", year),
        "slots_per_run": per_run,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2].split(","))
