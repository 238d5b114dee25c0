"""The API fuzzed against its own OpenAPI schema (schemathesis), in-process through the WSGI app, as every role.

Every operation of the schema gets generated requests, valid and invalid (negative mode), sent with each role's
knox token; path ids are now and then replaced by ids of real reports and attachments (own and foreign ones), so
that the fuzzing reaches past 404. Each response must not be a server error, must have a status the schema
documents, and must match the schema's response body; an operation that needs authentication must refuse a
request without it (`ignored_auth`), and a deleted attachment must be gone (`use_after_free`, in the stateful
test, which follows the schema's links from a created report to its actions and attachments).

Examples: FUZZ_EXAMPLES_PER_ROLE per operation and role (default 12 in CI, 4 elsewhere), randomised with the run's
hypothesis seed (tests/plugins/hypothesis_seed.py: printed, HYPOTHESIS_SEED reruns it). Each example is a request
really sent; an operation and role with fewer than FUZZ_FLOOR of them (default three quarters of the examples asked
for, and never under 3) fails, so that the fuzzing cannot shrink to nothing and stay green. The closing summary
prints the figures. Throttling and the sign-in lock-out are off here: they would turn the fuzzing into a test of
themselves.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from tests.plugins.hypothesis_seed import seed_for
from tests.security.roles import ROLES, accounts_ensure, report_of, tokens_for

pytestmark = [pytest.mark.django_db]

IN_CI = os.environ.get("CI", "").lower() == "true"
EXAMPLES_PER_ROLE = int(os.environ.get("FUZZ_EXAMPLES_PER_ROLE", "12" if IN_CI else "4"))
FLOOR = int(os.environ.get("FUZZ_FLOOR", max(3, EXAMPLES_PER_ROLE * 3 // 4)))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, ignored_auth, use_after_free]
STATS: dict[str, int] = {}


def raw_schema() -> dict:
    """The schema /api/schema/ serves, generated without a request (no database at collection time)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


# Gaps between the schema and what the app really answers that fuzzing found and that are not fixed yet:
# {(component, field): patch}, applied so that the fuzzing goes on finding other things. None open at present.
KNOWN_GAPS: dict = {}


def patch_known_gaps(raw: dict) -> dict:
    for (component, field), patch in KNOWN_GAPS.items():
        raw["components"]["schemas"][component]["properties"][field].update(patch)
    return raw


RAW = patch_known_gaps(raw_schema())
OPERATIONS = [
    (method.upper(), path)
    for path, item in RAW["paths"].items()
    for method in item
    if method in {"get", "post", "patch", "put", "delete"}
]


def load_schema(raw: dict):
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = WSGIHandler()
    return schema


@pytest.fixture
def in_process_requests():
    """Requests through the WSGI handler inside the test's transaction: Django's test client does the same and
    keeps the handler from closing the test's connection at the end of each request (close_old_connections sees
    autocommit off inside the test's transaction and closes it on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_settings(settings, tmp_path, in_process_requests):
    settings.AXES_ENABLED = False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def world(fuzz_settings):
    """Accounts with tokens, and reports in every state from two offices and a department, one with evidence."""
    users = accounts_ensure()
    tokens = tokens_for(users)
    reports = [
        report_of(users, "guangdong"),
        report_of(users, "hunan", state="submitted"),
        report_of(users, "tianjin", state="accepted"),
        report_of(users, "guangdong", code="I.2", state="returned"),
        report_of(users, "pad", code="I.1", label="2012-Q2", state="submitted"),
    ]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tracking import services

    attachment = services.attachment_add(
        report=reports[0],
        user=users["guangdong"],
        uploaded_file=SimpleUploadedFile("evidence.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    return {"tokens": tokens, "report_ids": [r.pk for r in reports], "attachment_ids": [attachment.pk]}


def fuzz_as(operation, headers, world, examples, sent, auth_enforced, name):
    """Send `examples` generated requests (valid and invalid) to the operation with these headers."""
    report_ids, attachment_ids = world["report_ids"], world["attachment_ids"]

    @seed(seed_for(name))
    @settings(max_examples=examples, phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(
        case=st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        ),
        real_id=st.none() | st.sampled_from(report_ids),
        real_attachment=st.none() | st.sampled_from(attachment_ids),
    )
    def fuzz(case, real_id, real_attachment):
        if case.path_parameters and "id" in case.path_parameters and real_id is not None:
            case.path_parameters["id"] = real_id
        if case.path_parameters and "attachment_id" in case.path_parameters and real_attachment is not None:
            case.path_parameters["attachment_id"] = real_attachment
        # Whether an operation enforces authentication does not depend on the example: once ignored_auth has seen
        # it refuse requests without (and with invalid) credentials, its three probes per success are not repeated.
        checks = CHECKS if not auth_enforced else [check for check in CHECKS if check is not ignored_auth]
        response = case.call_and_validate(headers=headers, checks=checks)
        if headers and 200 <= response.status_code < 300:
            auth_enforced.append(True)
        sent.append(1)

    fuzz()


def auth_headers(token):
    return {"Authorization": f"Token {token}"} if token else {}


@pytest.mark.timeout(600)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_as_every_role(world, method, path):
    schema = load_schema(RAW)
    operation = schema[path][method]
    auth_enforced = []
    per_role = {}
    for role in ROLES:
        sent = []
        name = f"fuzz {method} {path} as {role}"
        fuzz_as(operation, auth_headers(world["tokens"][role]), world, EXAMPLES_PER_ROLE, sent, auth_enforced, name)
        per_role[role] = len(sent)

    STATS[f"{method} {path}"] = per_role
    short = {role: n for role, n in per_role.items() if n < FLOOR}
    assert not short, f"fewer requests than the floor ({FLOOR}) per role: {short}"


# --- Stateful: links from an upload to its download and removal, so that use_after_free has something to check ---

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ATTACHMENT = "/api/v1/updates/{id}/attachments/{attachment_id}/"
LINKED = {"id": "$request.path.id", "attachment_id": "$response.body#/id"}
SAME = {"id": "$request.path.id", "attachment_id": "$request.path.attachment_id"}


def linked_schema() -> dict:
    raw = patch_known_gaps(raw_schema())
    paths = raw["paths"]
    paths["/api/v1/updates/{id}/attachments/"]["post"]["responses"]["201"]["links"] = {
        "GetAttachment": {"operationId": "updates_attachments_retrieve", "parameters": LINKED},
        "DeleteAttachment": {"operationId": "updates_attachments_destroy", "parameters": LINKED},
    }
    paths[ATTACHMENT]["delete"]["responses"]["204"]["links"] = {
        "GetDeletedAttachment": {"operationId": "updates_attachments_retrieve", "parameters": SAME},
        "DeleteAgain": {"operationId": "updates_attachments_destroy", "parameters": SAME},
    }
    return raw


@pytest.mark.timeout(300)
@pytest.mark.parametrize("role", ["guangdong", "admin"])
def test_a_deleted_attachment_is_gone(world, role):
    """Upload, download, delete, download again (and delete again): after a successful DELETE the attachment
    answers 404 to every role (schemathesis' use_after_free, and this test's own count)."""
    schema = load_schema(linked_schema()).include(path_regex="/attachments/")
    own_draft = world["report_ids"][0]  # Guangdong's draft
    headers = auth_headers(world["tokens"][role])
    seen = {"deleted": set(), "gets_after_delete": 0, "uploads": 0}

    class Machine(schema.as_state_machine()):
        def before_call(self, case):
            # No random query parameters: an unknown one is a 400 before the attachment is looked up.
            case.query = {}
            if case.method == "POST":
                # A real report of the role's organisation and a real PDF: random bytes are refused (400) by the
                # content check, and nothing would ever be created to delete.
                case.path_parameters = {"id": own_draft}
                # A different file each time: the same file is refused as already attached.
                seen["posts"] = seen.get("posts", 0) + 1
                case.body = {"file": PDF + b"%" + b"0" * seen["posts"] + b"\n"}
                case.query = {}

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def after_call(self, response, case):
            super().after_call(response, case)
            key = (case.path_parameters or {}).get("attachment_id")
            if case.method == "POST" and response.status_code == 201:
                seen["uploads"] += 1
            if case.method == "DELETE" and response.status_code == 204:
                seen["deleted"].add(key)
            elif case.method == "GET" and key in seen["deleted"]:
                seen["gets_after_delete"] += 1
                assert response.status_code == 404, response.text

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, checks=CHECKS, headers=headers, transport_kwargs=kwargs or None, recorder=self.recorder
            )

    Machine.run(
        settings=settings(
            max_examples=max(10, EXAMPLES_PER_ROLE * 2),
            stateful_step_count=6,
            # Fixed (derandomised): the point here is that every run reaches an upload, its removal and a download
            # after it, which a fixed sequence of examples is known to do; the randomised fuzzing is above.
            derandomize=True,
            database=None,
        )
    )
    STATS[f"stateful attachments as {role}"] = seen["gets_after_delete"]
    assert seen["uploads"] and seen["deleted"] and seen["gets_after_delete"], seen
