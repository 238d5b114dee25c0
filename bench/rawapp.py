"""The limit of a read: the same rows as the API returns, fetched by one SQL query through psycopg and serialized
with orjson, in a bare WSGI app (no Django) under the same gunicorn settings as the product.

Paths mirror the API's: /work-items/?year=, /updates/?year=&page_size=&office=&status= (the analyst's view: published
reports, newest first), /stats/programs/?year= (the SQL that tracking.stats generates, captured by bench/setup.py).
DATABASE_URL names the database; BENCH_STATS_SQL a file with the captured statistics query.
"""

import os
from urllib.parse import parse_qs

import orjson
import psycopg
import roman

NUMERALS = {n: roman.toRoman(n) for n in range(1, 51)}  # program numbers are 1-50 (a check constraint)

WORK_ITEMS = """
SELECT w.id, pl.year, p.id, p.number, p.name, w.number, w.title, w.text, w.office_scope, w.office_condition,
  (SELECT coalesce(json_agg(json_build_object('id', d.id, 'name', d.name) ORDER BY wd.position), '[]')
     FROM programs_workitemdepartment wd JOIN participants_department d ON d.id = wd.department_id
    WHERE wd.work_item_id = w.id)::text,
  CASE WHEN w.office_scope = 'all' THEN
    (SELECT json_agg(json_build_object('id', o.id, 'short_name', o.short_name) ORDER BY o.code NULLS LAST, o.short_name)
       FROM participants_provincialoffice o)
  WHEN w.office_scope IN ('listed', 'conditional') THEN
    (SELECT coalesce(json_agg(json_build_object('id', o.id, 'short_name', o.short_name)
                              ORDER BY wo.position, o.code), '[]')
       FROM programs_workitemoffice wo JOIN participants_provincialoffice o ON o.id = wo.office_id
      WHERE wo.work_item_id = w.id)
  ELSE '[]'::json END::text,
  (SELECT coalesce(json_agg(json_build_object('id', t.id, 'quantity', t.quantity, 'approximate', t.approximate,
                                              'description', t.description) ORDER BY t.position), '[]')
     FROM programs_target t WHERE t.work_item_id = w.id)::text,
  count(*) OVER ()
FROM programs_workitem w JOIN programs_program p ON p.id = w.program_id JOIN programs_plan pl ON pl.id = p.plan_id
WHERE pl.year = %(year)s
ORDER BY pl.year, p.number, w.number
LIMIT %(limit)s
"""

UPDATES = """
WITH selected AS (
  SELECT r.id, r.updated_at FROM tracking_report r
    JOIN programs_reportingperiod rp ON rp.id = r.period_id
    JOIN programs_plan pl ON pl.id = rp.plan_id
  WHERE r.state IN ('submitted', 'accepted') AND pl.year = %(year)s
    AND (%(office)s::bigint IS NULL OR r.office_id = %(office)s)
    AND (%(status)s::text IS NULL OR r.status = %(status)s)
), page AS (
  SELECT r.* FROM tracking_report r
  WHERE r.id IN (SELECT id FROM selected ORDER BY updated_at DESC, id DESC LIMIT %(limit)s)
)
SELECT r.id, w.id, p.number, w.number, w.title, o.id, o.short_name, d.id, d.name, rp.id, rp.label,
  r.status, r.percent_complete, r.summary, r.achievements, r.problems, r.next_steps,
  (SELECT coalesce(json_agg(json_build_object('target', tv.target_id, 'value', tv.value) ORDER BY t.position), '[]')
     FROM tracking_targetvalue tv JOIN programs_target t ON t.id = tv.target_id WHERE tv.report_id = r.id)::text,
  (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'size', a.size,
                                              'content_type', a.content_type) ORDER BY a.uploaded_at, a.id), '[]')
     FROM tracking_attachment a WHERE a.report_id = r.id)::text,
  r.state, su.username, r.submitted_at, ru.username, r.reviewed_at, r.review_comment, r.version, r.created_at,
  r.updated_at, (SELECT count(*) FROM selected)
FROM page r
  JOIN programs_reportingperiod rp ON rp.id = r.period_id
  JOIN programs_workitem w ON w.id = r.work_item_id
  JOIN programs_program p ON p.id = w.program_id
  LEFT JOIN participants_provincialoffice o ON o.id = r.office_id
  LEFT JOIN participants_department d ON d.id = r.department_id
  LEFT JOIN auth_user su ON su.id = r.submitted_by_id
  LEFT JOIN auth_user ru ON ru.id = r.reviewed_by_id
ORDER BY r.updated_at DESC, r.id DESC
"""

_connection = None
_stats_sql = None


def connection():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        _connection.execute("SET TIME ZONE 'Asia/Shanghai'")
    return _connection


def page(rows, count):
    return {"count": count, "next": None, "previous": None, "results": rows}


def work_items(query):
    rows = connection().execute(WORK_ITEMS, {"year": int(query["year"]), "limit": 100}).fetchall()
    results = [
        {
            "id": r[0],
            "year": r[1],
            "program": {"id": r[2], "number": r[3], "name": r[4]},
            "number": r[5],
            "code": f"{NUMERALS[r[3]]}.{r[5]}",
            "title": r[6],
            "text": r[7],
            "departments": orjson.Fragment(r[10]),
            "office_scope": r[8],
            "office_condition": r[9],
            "offices": orjson.Fragment(r[11]),
            "targets": orjson.Fragment(r[12]),
        }
        for r in rows
    ]
    return page(results, rows[0][13] if rows else 0)


def updates(query):
    params = {
        "year": int(query["year"]),
        "office": int(query["office"]) if "office" in query else None,
        "status": query.get("status"),
        "limit": int(query.get("page_size", 100)),
    }
    rows = connection().execute(UPDATES, params).fetchall()
    results = [
        {
            "id": r[0],
            "work_item": {"id": r[1], "code": f"{NUMERALS[r[2]]}.{r[3]}", "title": r[4]},
            "office": {"id": r[5], "short_name": r[6]} if r[5] else None,
            "department": {"id": r[7], "name": r[8]} if r[7] else None,
            "period": {"id": r[9], "label": r[10]},
            "status": r[11],
            "percent_complete": r[12],
            "summary": r[13],
            "achievements": r[14],
            "problems": r[15],
            "next_steps": r[16],
            "target_values": orjson.Fragment(r[17]),
            "attachments": orjson.Fragment(r[18]),
            "state": r[19],
            "submitted_by": r[20],
            "submitted_at": r[21],
            "reviewed_by": r[22],
            "reviewed_at": r[23],
            "review_comment": r[24],
            "version": r[25],
            "created_at": r[26],
            "updated_at": r[27],
        }
        for r in rows
    ]
    return page(results, rows[0][28] if rows else 0)


STATUSES = ["not_started", "on_track", "at_risk", "delayed", "completed"]


def program_stats(query):
    global _stats_sql
    if _stats_sql is None:
        with open(os.environ["BENCH_STATS_SQL"]) as f:
            _stats_sql = f.read()
    cursor = connection().execute(_stats_sql)
    names = {}
    for index, column in enumerate(cursor.description):
        names.setdefault(column.name, index)
    results = []
    for r in cursor.fetchall():
        row = {
            "id": r[names["id"]],
            "year": r[names["year"]],
            "number": r[names["number"]],
            "numeral": NUMERALS[r[names["number"]]],
            "name": r[names["name"]],
            "work_items": int(r[names["work_item_count"]]),
            "expected": int(r[names["expected"]]),  # SUM(): numeric in PostgreSQL, an integer in the API
            "received": int(r[names["received"]]),
            "accepted": int(r[names["accepted"]]),
            "overdue": int(r[names["overdue"]]),
            "status": {status: int(r[names[f"status_{status}"]]) for status in STATUSES},
            "mean_percent": None if r[names["mean_percent"]] is None else float(r[names["mean_percent"]]),
        }
        results.append(row)
    return page(results, len(results))


ROUTES = {"/work-items/": work_items, "/updates/": updates, "/stats/programs/": program_stats}


def application(environ, start_response):
    handler = ROUTES.get(environ["PATH_INFO"])
    if handler is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
    body = orjson.dumps(handler(query))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
