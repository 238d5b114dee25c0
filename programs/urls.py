"""Pages of the plan structure, namespace "programs": the lists of offices and departments. (The plan, program,
work item, office and department pages show report progress, so the tracking app serves them: tracking/urls.py.)"""

from django.urls import path

from programs import views

app_name = "programs"
urlpatterns = [
    path("offices/", views.OfficeListView.as_view(), name="office_list"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
]
