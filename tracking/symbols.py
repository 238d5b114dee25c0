"""The symbols and colours that stand for report states and statuses on every page: the badges, the matrix's
cells and legend, the charts. The state and status symbols are the glossary's (locale/glossary.yaml)."""

from django.utils.translation import pgettext_lazy

from planpromo import glossary
from tracking.choices import ReportState, ReportStatus

# Short forms for the matrix cells and the status badges (the legend spells them out).
STATE_SYMBOLS = {state: glossary.symbol("state", state) for state in ReportState}  # locale/glossary.yaml


STATUS_CODES = {
    ReportStatus.NOT_STARTED: pgettext_lazy("status code", "N"),
    ReportStatus.ON_TRACK: pgettext_lazy("status code", "T"),
    ReportStatus.AT_RISK: pgettext_lazy("status code", "R"),
    ReportStatus.DELAYED: pgettext_lazy("status code", "D"),
    ReportStatus.COMPLETED: pgettext_lazy("status code", "C"),
}


# The charts; the badges use the same colours (css/dashboard.css --status-*, held to these by a test).
STATUS_COLOURS = {
    ReportStatus.NOT_STARTED: "#4a5360",
    ReportStatus.ON_TRACK: "#166534",
    ReportStatus.AT_RISK: "#8a4b00",
    ReportStatus.DELAYED: "#a4161a",
    ReportStatus.COMPLETED: "#0b4f8a",
}


NO_REPORT_SYMBOL = "○"


OVERDUE_SYMBOL = "!"


NOT_TAKING_PART_SYMBOL = "–"
