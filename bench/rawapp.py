"""The limit of a read: the same rows as the API returns, fetched by one SQL query through psycopg and serialized
with orjson, in a bare WSGI app (no Django) under the same gunicorn settings as the product.

Paths mirror the API's: /work-items/?year=, /updates/?year=&page_size=&office=&status= (the analyst's view: published
reports, newest first), /obligations/?year= (as an analyst sees them), and the statistics /stats/programs/,
/stats/offices/, /stats/work-items/ and /stats/reporting-rates/?group_by=office, each of ?year=: hand-written SQL
over tracking_obligation joined to tracking_report, with tracking.stats's definitions. DATABASE_URL names the
database.
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
                              ORDER BY o.code NULLS LAST, o.short_name), '[]')
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


# --- Statistics: the SQL a DBA would write over the obligations (tracking.stats has the definitions) -------------
# Every statistic reads the obligations of the year's periods, each left-joined to its report of the same period
# (the index on the period serves both sides, whatever other years hold); the session's time zone is the site's,
# so `::date` is the local date and current_date is today.

OBLIGATIONS = """
WITH ob AS (
  SELECT o.id, o.work_item_id, o.office_id, o.department_id, o.period_id, o.due,
         r.state IN ('submitted', 'accepted') AS received, r.state, r.status, r.percent_complete,
         r.first_submitted_at::date AS first_submitted_on
    FROM tracking_obligation o
    JOIN programs_reportingperiod rp ON rp.id = o.period_id
    JOIN programs_plan pl ON pl.id = rp.plan_id
    LEFT JOIN tracking_report r ON r.id = o.report_id AND r.period_id = o.period_id
   WHERE pl.year = %(year)s
)
"""

FIGURES = """
  count(*) AS expected,
  count(*) FILTER (WHERE ob.received) AS received,
  count(*) FILTER (WHERE ob.state = 'accepted') AS accepted,
  count(*) FILTER (WHERE ob.received AND ob.first_submitted_on <= ob.due) AS on_time,
  count(*) FILTER (WHERE ob.due < current_date AND ob.received IS NOT TRUE) AS overdue,
  avg(ob.percent_complete) FILTER (WHERE ob.received) AS mean_percent,
  count(*) FILTER (WHERE ob.received AND ob.status = 'not_started') AS status_not_started,
  count(*) FILTER (WHERE ob.received AND ob.status = 'on_track') AS status_on_track,
  count(*) FILTER (WHERE ob.received AND ob.status = 'at_risk') AS status_at_risk,
  count(*) FILTER (WHERE ob.received AND ob.status = 'delayed') AS status_delayed,
  count(*) FILTER (WHERE ob.received AND ob.status = 'completed') AS status_completed
"""
FIGURE_NAMES = (
    "expected",
    "received",
    "accepted",
    "on_time",
    "overdue",
    "mean_percent",
    *(f"status_{s}" for s in STATUSES),
)

PROGRAM_STATS = (
    OBLIGATIONS
    + f"""
, fig AS (SELECT w.program_id, {FIGURES} FROM ob JOIN programs_workitem w ON w.id = ob.work_item_id GROUP BY 1)
SELECT p.id, pl.year, p.number, p.name, (SELECT count(*) FROM programs_workitem w WHERE w.program_id = p.id), fig.*
  FROM programs_program p JOIN programs_plan pl ON pl.id = p.plan_id LEFT JOIN fig ON fig.program_id = p.id
 WHERE pl.year = %(year)s
 ORDER BY p.number
"""
)

OFFICE_STATS = (
    OBLIGATIONS
    + f"""
, fig AS (SELECT ob.office_id, count(DISTINCT ob.work_item_id) AS work_items, {FIGURES}
            FROM ob WHERE ob.office_id IS NOT NULL GROUP BY 1)
SELECT o.id, o.short_name, o.name_zh, fig.*
  FROM participants_provincialoffice o LEFT JOIN fig ON fig.office_id = o.id
 ORDER BY o.code NULLS LAST, o.short_name
"""
)

WORK_ITEM_STATS = (
    OBLIGATIONS
    + f"""
, fig AS (SELECT ob.work_item_id, count(DISTINCT ob.office_id) AS offices_expected,
                 count(DISTINCT ob.department_id) AS departments_expected,
                 count(DISTINCT ob.office_id) FILTER (WHERE ob.received) AS offices_reported, {FIGURES}
            FROM ob GROUP BY 1),
latest AS (  -- each organisation's latest received value of each target in the year (by period end, the year's
             -- report before the fourth quarter's)
  SELECT DISTINCT ON (tv.target_id, r.office_id, r.department_id) tv.target_id, tv.value
    FROM tracking_targetvalue tv
    JOIN tracking_report r ON r.id = tv.report_id
    JOIN programs_reportingperiod rp ON rp.id = r.period_id
    JOIN programs_plan pl ON pl.id = rp.plan_id
   WHERE pl.year = %(year)s AND r.state IN ('submitted', 'accepted')
   ORDER BY tv.target_id, r.office_id, r.department_id, rp."end" DESC, rp.start ASC
), achieved AS (SELECT target_id, sum(value) AS achieved FROM latest GROUP BY 1)
SELECT w.id, pl.year, p.number, w.number, w.title, w.office_scope,
  (SELECT coalesce(json_agg(json_build_object('id', t.id, 'quantity', t.quantity, 'approximate', t.approximate,
                                              'description', t.description, 'achieved', a.achieved)
                            ORDER BY t.position), '[]')
     FROM programs_target t LEFT JOIN achieved a ON a.target_id = t.id WHERE t.work_item_id = w.id)::text,
  fig.*
  FROM programs_workitem w JOIN programs_program p ON p.id = w.program_id JOIN programs_plan pl ON pl.id = p.plan_id
  LEFT JOIN fig ON fig.work_item_id = w.id
 WHERE pl.year = %(year)s
 ORDER BY p.number, w.number
 LIMIT 100
"""
)

RATES_BY_OFFICE = (
    OBLIGATIONS
    + f"""
SELECT o.id, o.short_name, o.name_zh, {FIGURES}
  FROM ob JOIN participants_provincialoffice o ON o.id = ob.office_id
 GROUP BY o.id
 ORDER BY o.id
"""
)

OBLIGATION_LIST = """
WITH selected AS (
  SELECT o.id, o.due FROM tracking_obligation o
    JOIN programs_reportingperiod rp ON rp.id = o.period_id JOIN programs_plan pl ON pl.id = rp.plan_id
   WHERE pl.year = %(year)s
), page AS (SELECT id FROM selected ORDER BY due, id LIMIT %(limit)s)
SELECT o.id, w.id, p.number, w.number, w.title, f.id, f.short_name, d.id, d.name, rp.id, rp.label, o.due,
       r.id, coalesce(r.state, 'missing'), r.first_submitted_at, r.first_submitted_at::date <= o.due,
       (SELECT count(*) FROM selected)
  FROM page JOIN tracking_obligation o ON o.id = page.id
  JOIN programs_workitem w ON w.id = o.work_item_id JOIN programs_program p ON p.id = w.program_id
  JOIN programs_reportingperiod rp ON rp.id = o.period_id
  LEFT JOIN participants_provincialoffice f ON f.id = o.office_id
  LEFT JOIN participants_department d ON d.id = o.department_id
  LEFT JOIN tracking_report r ON r.id = o.report_id AND r.state IN ('submitted', 'accepted')
 ORDER BY o.due, o.id
"""


def named_rows(sql: str, params: dict) -> list[dict]:
    cursor = connection().execute(sql, params)
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def rollup(row: dict) -> dict:
    """The figures of a statistics row as the API writes them (zeros where nothing was expected)."""
    n = {name: int(row[name] or 0) for name in FIGURE_NAMES if name != "mean_percent"}
    return {
        "reporting_rate": rate(n["received"], n["expected"]),
        "on_time_rate": rate(n["on_time"], n["expected"]),
        "expected": n["expected"],
        "received": n["received"],
        "accepted": n["accepted"],
        "on_time": n["on_time"],
        "overdue": n["overdue"],
        "status": {status: n[f"status_{status}"] for status in STATUSES},
        "mean_percent": None if row["mean_percent"] is None else float(row["mean_percent"]),
    }


def year_of(query) -> dict:
    return {"year": int(query["year"])}


def program_stats(query):
    rows = connection().execute(PROGRAM_STATS, year_of(query))
    names = [column.name for column in rows.description]
    results = []
    for r in rows.fetchall():
        figures = dict(zip(names[5:], r[5:], strict=False))
        results.append(
            {"id": r[0], "year": r[1], "number": r[2], "numeral": NUMERALS[r[2]], "name": r[3], "work_items": r[4]}
            | rollup(figures)
        )
    return page(results, len(results))


def office_stats(query):
    results = []
    for row in named_rows(OFFICE_STATS, year_of(query)):
        figures = rollup(row)
        results.append(
            {"id": row["id"], "short_name": row["short_name"], "name_zh": row["name_zh"]}
            | figures
            | {"work_items": int(row["work_items"] or 0), "due": figures["expected"]}
        )
    return page(results, len(results))


def work_item_stats(query):
    rows = connection().execute(WORK_ITEM_STATS, year_of(query))
    names = [column.name for column in rows.description]
    results = []
    for r in rows.fetchall():
        figures = dict(zip(names[7:], r[7:], strict=False))
        results.append(
            {"id": r[0], "year": r[1], "code": f"{NUMERALS[r[2]]}.{r[3]}", "title": r[4], "office_scope": r[5]}
            | rollup(figures)
            | {
                "offices_expected": int(figures["offices_expected"] or 0),
                "offices_reported": int(figures["offices_reported"] or 0),
                "departments_expected": int(figures["departments_expected"] or 0),
                "targets": orjson.Fragment(r[6]),
            }
        )
    return page(results, len(results))


def reporting_rates(query):
    """group_by=office only (the bench's read): one row per office with obligations in the year."""
    results = []
    for row in named_rows(RATES_BY_OFFICE, year_of(query)):
        figures = rollup(row)
        results.append(
            {"office": row["id"], "office_short_name": row["short_name"], "office_name_zh": row["name_zh"]}
            | {name: figures[name] for name in ("expected", "received", "accepted", "on_time", "overdue")}
            | {"reporting_rate": figures["reporting_rate"], "on_time_rate": figures["on_time_rate"]}
        )
    return results


def obligations(query):
    params = {**year_of(query), "limit": int(query.get("page_size", 100))}
    rows = connection().execute(OBLIGATION_LIST, params).fetchall()
    today = connection().execute("SELECT current_date").fetchone()[0]
    results = [
        {
            "id": r[0],
            "work_item": {"id": r[1], "code": f"{NUMERALS[r[2]]}.{r[3]}", "title": r[4]},
            "office": {"id": r[5], "short_name": r[6]} if r[5] else None,
            "department": {"id": r[7], "name": r[8]} if r[7] else None,
            "period": {"id": r[9], "label": r[10]},
            "due": r[11],
            "report": r[12],
            "state": r[13],
            "first_submitted_at": r[14],
            "on_time": r[15],
            "overdue": r[12] is None and r[11] < today,
        }
        for r in rows
    ]
    return page(results, rows[0][16] if rows else 0)


ROUTES = {
    "/work-items/": work_items,
    "/updates/": updates,
    "/obligations/": obligations,
    "/stats/programs/": program_stats,
    "/stats/offices/": office_stats,
    "/stats/work-items/": work_item_stats,
    "/stats/reporting-rates/": reporting_rates,
}


def application(environ, start_response):
    handler = ROUTES.get(environ["PATH_INFO"])
    if handler is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
    body = orjson.dumps(handler(query))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
