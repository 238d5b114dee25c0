"""The OpenAPI schema and the interactive docs: valid, warning-free, complete for every endpoint, served locally."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

pytestmark = pytest.mark.django_db

LISTS = ["plans", "departments", "offices", "programs", "work-items", "periods"]


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    """The schema as `manage.py spectacular` writes it, failing on any warning or error of the generator and on any
    deviation from the OpenAPI 3 JSON schema: this covers every endpoint registered, including ones added later."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    GENERATOR_STATS.reset()
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_schema_describes_the_api(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "planpromo API"
    assert schema["info"]["version"] == "1.0.0"
    token = schema["components"]["securitySchemes"]["knoxApiToken"]
    assert token == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    for name in LISTS:
        assert f"/api/v1/{name}/" in schema["paths"]
        assert f"/api/v1/{name}/{{id}}/" in schema["paths"]
    assert {tag["name"] for tag in schema["tags"]} >= set(LISTS)


def test_every_operation_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        if operation.get("security") != [{}] and {} not in operation.get("security", []):
            assert {"401", "403"} <= set(responses), (method, path)
        assert "429" in responses, (method, path)
        assert "Retry-After" in responses["429"]["headers"]
        if "{" in path:
            assert "404" in responses, (method, path)
        for code in ("400", "401", "403", "404", "429"):
            if code in responses:
                assert responses[code]["content"]["application/json"]["examples"], (method, path, code)


# Where a file makes no sense, `format` is not offered (and is an unknown parameter: 400).
JSON_ONLY = {"/api/v1/auth/token/", "/api/v1/auth/tokens/", "/api/v1/auth/tokens/{id}/"}


def test_format_is_offered_only_where_it_works(schema):
    for path in JSON_ONLY:
        for method, operation in schema["paths"][path].items():
            assert "format" not in {p["name"] for p in operation.get("parameters", [])}, (method, path)
            assert set(operation["responses"].get("200", {}).get("content", {})) <= {"application/json"}, path
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["200"]["content"]["application/json"]
    name = token["schema"]["$ref"].rsplit("/", 1)[1]
    # The real response, not the request's shape: a generated client reads these.
    assert set(schema["components"]["schemas"][name]["properties"]) == {
        "token", "id", "name", "created", "expiry", "last_used", "expired"
    }  # fmt: skip


def test_every_read_documents_the_file_formats(schema):
    for path, method, operation in operations(schema):
        if method != "get" or "application/json" not in operation["responses"]["200"].get("content", {}):
            continue  # a write, or a download that is a file already
        if path in JSON_ONLY:
            continue
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        assert sorted(parameters["format"]["schema"]["enum"]) == ["csv", "json", "xlsx"], path
        content = operation["responses"]["200"]["content"]
        assert content["text/csv"]["schema"]["type"] == "string", path
        assert content["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]["schema"] == {
            "type": "string",
            "format": "binary",
            "description": "An Excel workbook with one sheet; a header row first.",
        }


def test_lists_document_filters_ordering_search_and_pages(schema):
    work_items = schema["paths"]["/api/v1/work-items/"]["get"]
    parameters = {p["name"]: p for p in work_items["parameters"]}
    assert {"year", "program", "office", "department", "search", "ordering", "page", "page_size"} <= set(parameters)
    # Several offices: repeated (what generated clients send for an array) or comma-separated.
    assert parameters["office"]["schema"] == {"type": "array", "items": {"type": "integer"}}
    assert parameters["office"]["explode"] is True
    assert parameters["ordering"]["schema"]["items"]["enum"] == [
        "year",
        "program",
        "code",
        "title",
        "office_scope",
        "-year",
        "-program",
        "-code",
        "-title",
        "-office_scope",
    ]
    ok = work_items["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok == "#/components/schemas/PaginatedWorkItemList"
    assert set(schema["components"]["schemas"]["PaginatedWorkItemList"]["properties"]) == {
        "count",
        "next",
        "previous",
        "results",
    }
    assert "400" in work_items["responses"]
    offices = schema["components"]["schemas"]["WorkItem"]["properties"]["offices"]
    assert offices["items"]["$ref"] == "#/components/schemas/ProvincialOfficeBrief"


def test_schema_endpoint_serves_the_same_schema_to_anyone(api_client, schema):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["paths"].keys() == schema["paths"].keys()


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.inline = [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [attrs[name] for name in ("src", "href") if attrs.get(name)]
        if tag == "redoc":
            self.urls.append(attrs["spec-url"])
        if tag == "style" or "style" in attrs:
            self.inline.append(tag)
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_load_only_same_origin_assets(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 200
    assets = Assets()
    assets.feed(response.content.decode())
    assert assets.inline == []  # the Content-Security-Policy allows no inline script or style
    assert len(assets.urls) >= 2
    for asset in assets.urls:
        parts = urlsplit(asset)
        assert not parts.scheme and not parts.netloc, asset
        if parts.path.startswith("/static/"):
            assert finders.find(parts.path.removeprefix("/static/")), asset
        else:
            assert api_client.get(asset).status_code == 200, asset


def test_swagger_setup_script_points_at_the_local_schema(api_client):
    response = api_client.get("/api/docs/?script=")
    assert response["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in response.content.decode()


@pytest.mark.parametrize(
    ("path", "first_words"),
    [("programs", "Per program:"), ("offices", "Per office:"), ("work-items", "Per work item:")],
)
def test_statistics_per_entity_say_what_their_rows_are(schema, path, first_words):
    """The viewset's docstring is the operation's description (it was lost when an attribute came before it)."""
    assert schema["paths"][f"/api/v1/stats/{path}/"]["get"]["description"].startswith(first_words)
