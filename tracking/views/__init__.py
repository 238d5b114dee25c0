"""The tracking app's pages, one module per area (tracking/urls.py routes them): progress (dashboard, program,
work item), matrix, completeness, duties (office and department), summary (page and PDF), my_work (and the home
redirect), report_form, reports (report page and list), review, report_import, notifications. What they share is
in base."""
