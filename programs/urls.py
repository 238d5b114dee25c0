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

app_name = "programs"
urlpatterns = [
    path("plans/<int:year>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:year>/programs/<int:number>/", views.ProgramDetailView.as_view(), name="program_detail"),
    path("plans/<int:year>/items/<workitem_code:code>/", views.WorkItemDetailView.as_view(), name="workitem_detail"),
    path("offices/", views.OfficeListView.as_view(), name="office_list"),
    path("offices/<str:short_name>/", views.OfficeDetailView.as_view(), name="office_detail"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/<int:pk>/", views.DepartmentDetailView.as_view(), name="department_detail"),
]
