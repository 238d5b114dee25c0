from django.urls import path, register_converter

from programs import views


class WorkItemCodeConverter:
    """A work item's code as the circular writes it: the program's Roman numeral, a dot, the item's number
    ("II.3"). The view turns it into numbers; a code that only looks right (IIII.3) is a 404 there."""

    regex = r"[IVXLC]+\.[1-9][0-9]{0,2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(WorkItemCodeConverter, "workitem_code")

# The plan, program, work item, office and department pages show report progress, so they live in the tracking
# app (tracking/urls_pages.py: tracking:dashboard, tracking:program_detail, tracking:workitem_detail,
# tracking:office_detail, tracking:department_detail), at the URLs these pages always had. tracking.urls is
# included first and answers them; the old names below stay only so that links built with them keep working
# (they reverse to the same URLs). Use the tracking names in new code.
app_name = "programs"
urlpatterns = [
    path("plans/<int:year>/", views.served_by_tracking, name="plan_detail"),
    path("plans/<int:year>/programs/<int:number>/", views.served_by_tracking, name="program_detail"),
    path("plans/<int:year>/items/<workitem_code:code>/", views.served_by_tracking, name="workitem_detail"),
    path("offices/", views.OfficeListView.as_view(), name="office_list"),
    path("offices/<str:short_name>/", views.served_by_tracking, name="office_detail"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/<int:pk>/", views.served_by_tracking, name="department_detail"),
]
