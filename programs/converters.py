"""Path converters for the plan's URLs (registered by the URL module that uses them, tracking/urls.py)."""


class WorkItemCodeConverter:
    """A work item's code as the circular writes it: the program's Roman numeral, a dot, the item's number
    ("II.3"). The view turns it into numbers; a code that only looks right (IIII.3) is a 404 there."""

    regex = r"[IVXLC]+\.[1-9][0-9]{0,2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)
