"""One order of the 32 offices everywhere: by GB/T 2260 code, the XPCC (which has no code) last. The expected order
is computed here from the codes, not read from the code under test."""

import datetime
import re
from urllib.parse import unquote

import pytest
from django.utils import timezone

from participants.models import ProvincialOffice
from programs.models import ReportingPeriod, WorkItem
from tracking.models import Report
from tracking.summary import annual_summary

pytestmark = pytest.mark.django_db

OFFICE_LINK = re.compile(r'href="/offices/([^/"]+)/"')


@pytest.fixture
def expected():
    offices = sorted(ProvincialOffice.objects.order_by("pk"), key=lambda o: (o.code is None, o.code or ""))
    names = [o.short_name for o in offices]
    assert names[0] == "Beijing" and names[-1] == "XPCC" and len(names) == 32
    return names


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def in_order(names, expected):
    return [n for n in expected if n in names]


def links(html):
    found = []
    for name in map(unquote, OFFICE_LINK.findall(html)):
        if name not in found:
            found.append(name)
    return found


def test_office_list_page(signed_in, expected):
    assert links(signed_in.get("/offices/").content.decode()) == expected


def test_matrix_rows(signed_in, expected):
    html = signed_in.get("/plans/2012/matrix/").content.decode()
    assert links(html) == expected


def test_work_item_page_lists_offices_by_code_not_by_the_circulars_order(signed_in, expected):
    # II.4 lists "... Sichuan, Yunnan, Guizhou, Gansu": Guizhou (520000) comes before Yunnan (530000).
    html = signed_in.get("/plans/2012/items/II.4/").content.decode()
    shown = links(html)
    assert len(shown) == 15 and shown == in_order(shown, expected)


def test_api_and_exports(auth_client, expected):
    assert [o["short_name"] for o in auth_client.get("/api/v1/offices/?page_size=100").json()["results"]] == expected
    response = auth_client.get("/api/v1/offices/?format=csv&page_size=100")
    csv = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    column = csv[0].split(",").index("short_name")
    assert [line.split(",")[column] for line in csv[1:] if line] == expected


def test_annual_summary_lists(expected):
    item = WorkItem.objects.get(program__plan__year=2012, program__number=2, number=4)
    q1, q2 = (ReportingPeriod.objects.get(plan__year=2012, label=label) for label in ("2012-Q1", "2012-Q2"))
    late, early = ProvincialOffice.objects.get(short_name="Gansu"), ProvincialOffice.objects.get(short_name="Tianjin")
    xpcc_item = WorkItem.objects.get(program__plan__year=2012, program__number=1, number=1)  # scope: all
    xpcc, hebei = ProvincialOffice.objects.get(short_name="XPCC"), ProvincialOffice.objects.get(short_name="Hebei")
    now = timezone.now()
    for work_item, period, office in [
        (item, q1, late),
        (item, q2, early),
        (xpcc_item, q1, xpcc),
        (xpcc_item, q1, hebei),
    ]:
        Report.objects.create(
            work_item=work_item, period=period, office=office, status="on_track", percent_complete=10,
            summary="Report.", state="submitted", submitted_at=now, first_submitted_at=now,
        )  # fmt: skip
    summary = {s.item.pk: s for program in annual_summary(plan=item.program.plan, today=datetime.date(2013, 6, 1))
               for s in program.items}  # fmt: skip
    assert [o.short_name for o in summary[item.pk].offices_reported] == ["Tianjin", "Gansu"]
    assert [o.short_name for o in summary[xpcc_item.pk].offices_reported] == ["Hebei", "XPCC"]
    owing = [o.short_name for o in summary[item.pk].missing["2012-Q3"] if isinstance(o, ProvincialOffice)]
    assert len(owing) == 15 and owing == in_order(owing, expected)
    owing_all = [o.short_name for o in summary[xpcc_item.pk].missing["2012-Q3"] if isinstance(o, ProvincialOffice)]
    assert owing_all == expected
