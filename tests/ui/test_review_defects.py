"""Defects a real-browser review found on the report workflow pages: one id per box on the report page, a history
that reads like a record, menus by role, no version for an empty save, one copy of a file, and an answered
reviewer comment not shown as news."""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.ui.test_reports_pages import FIELDS, PDF, create
from tracking import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(accounts, client):
    def sign_in(username):
        client.force_login(accounts[username])
        return client

    return sign_in


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.labels = Counter(), {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        if tag == "label" and "for" in attrs:
            self.labels[attrs["for"]] = True


def ids_of(html):
    parser = _Ids()
    parser.feed(html)
    return parser


def test_report_page_gives_each_review_box_its_own_id_and_label(accounts, as_user):
    report = services.report_submit(report=create(accounts), user=accounts["guangdong"])
    html = as_user("pad").get(f"/reports/{report.pk}/").content.decode()
    parsed = ids_of(html)
    assert [i for i, n in parsed.ids.items() if n > 1] == []
    accept = re.search(r'<form method="post" action="/reports/\d+/accept/".*?</form>', html, re.S)[0]
    back = re.search(r'<form method="post" action="/reports/\d+/return/".*?</form>', html, re.S)[0]
    assert 'for="id_accept_comment"' in accept and 'id="id_accept_comment"' in accept
    assert 'for="id_return_comment"' in back and 'id="id_return_comment"' in back and "What must change" in back
    assert 'name="comment"' in accept and 'name="comment"' in back  # the names the views read stay


def test_history_names_people_in_local_time_with_labels(accounts, as_user):
    report = create(accounts)
    services.report_update(
        report=report, user=accounts["guangdong"], version=report.version, fields={"summary": "Long. " * 40}
    )
    report = services.report_submit(report=report, user=accounts["guangdong"])
    accounts["pad"].first_name, accounts["pad"].last_name = "Li", "Wei"
    accounts["pad"].save()
    services.report_return(report=report, user=accounts["pad"], comment="Figures?", version=report.version)
    html = as_user("pad").get(f"/reports/{report.pk}/", headers={"Accept-Language": "zh-hans"}).content.decode()
    history = html[html.index('id="history-heading"') :]
    assert "提交人" in history and "审核人" in history  # "Submitted by", "Reviewed by" in Chinese
    assert "Submitted by" not in history and "Reviewed by" not in history
    assert f"→ {accounts['guangdong'].username}" in history and "→ Li Wei" in history  # names, not user ids
    assert not re.search(r"→ \d+</li>", history)
    text = re.sub(r"<[^>]+>", "", history)  # what a person reads (a <time datetime=...> is for machines)
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", text) and "+00:00" not in text  # no raw UTC times
    assert "<details>" in history and ("Long. " * 40).strip() in history  # the long text opens whole
    assert "submitted" not in text.split() and "已提交" in text  # a state by its label, not its code


def test_history_names_attachments_added_and_removed(accounts, as_user):
    report = create(accounts)
    attachment = services.attachment_add(
        report=report, user=accounts["guangdong"], uploaded_file=SimpleUploadedFile("plan-evidence.pdf", PDF)
    )
    services.attachment_delete(attachment=attachment, user=accounts["guangdong"])
    html = as_user("guangdong").get(f"/reports/{report.pk}/").content.decode()
    history = html[html.index('id="history-heading"') :]
    assert "Attachment added</strong>: plan-evidence.pdf" in history
    assert "Attachment removed</strong>: plan-evidence.pdf" in history


def test_a_save_that_changes_nothing_adds_no_version(accounts):
    report = create(accounts)
    before = (report.version, report.history.count())
    same = services.report_update(report=report, user=accounts["guangdong"], version=report.version, fields=FIELDS)
    assert (same.version, same.history.count()) == before
    changed = services.report_update(
        report=report, user=accounts["guangdong"], version=report.version, fields={"percent_complete": 41}
    )
    assert (changed.version, changed.history.count()) == (before[0] + 1, before[1] + 1)


def test_the_same_file_cannot_be_attached_twice(accounts):
    report = create(accounts)
    upload = lambda: SimpleUploadedFile("evidence.pdf", PDF)  # noqa: E731
    services.attachment_add(report=report, user=accounts["guangdong"], uploaded_file=upload())
    with pytest.raises(ValidationError) as error:
        services.attachment_add(report=report, user=accounts["guangdong"], uploaded_file=upload())
    assert "already attached" in str(error.value)
    assert report.attachments.count() == 1


def test_an_answered_comment_is_not_shown_as_news(accounts, as_user):
    report = services.report_submit(report=create(accounts), user=accounts["guangdong"])
    report = services.report_return(report=report, user=accounts["pad"], comment="Figures?", version=report.version)
    returned = as_user("guangdong").get(f"/reports/{report.pk}/").content.decode()
    assert '<blockquote class="review-comment card"' in returned
    report = services.report_submit(report=report, user=accounts["guangdong"])
    resubmitted = as_user("pad").get(f"/reports/{report.pk}/").content.decode()
    assert '<blockquote class="review-comment card"' not in resubmitted
    # The resubmission cleared the comment (issue 15); the reviewer still reads it in the history.
    assert "Figures?" in resubmitted


@pytest.mark.parametrize(
    ("username", "my_work", "review"),
    [("guangdong", True, False), ("pad", True, True), ("analyst", False, False), ("admin", False, True)],
)
def test_menus_show_what_the_role_can_use(as_user, username, my_work, review):
    html = as_user(username).get("/reports/").content.decode()
    nav = html[html.index('class="main-nav"') : html.index("</nav>")]
    assert ('href="/my-work/"' in nav) is my_work
    assert ('href="/review/"' in nav) is review
    assert 'href="/api/docs/"' in html  # the API docs from every page, not only the tokens page


def test_a_file_chosen_before_a_failed_validation_is_named_not_dropped(as_user):
    from programs.models import ReportingPeriod, WorkItem

    item = WorkItem.objects.get(program__plan__year=2012, program__number=4, number=2)
    q4 = ReportingPeriod.objects.get(plan__year=2012, label="2012-Q4")
    data = {**FIELDS, "percent_complete": "120", "action": "save", "attachment": SimpleUploadedFile("audit.pdf", PDF)}
    response = as_user("guangdong").post(f"/reports/new/?work_item={item.pk}&period={q4.pk}", data)
    assert response.status_code == 200
    assert response.context["form"].errors["attachment"] == [
        "audit.pdf was not attached, as the form has errors: choose it again."
    ]
