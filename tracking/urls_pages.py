"""Progress pages: plan dashboard, program and work item progress, participation matrix, office and department
pages, annual summary. They serve the URLs the plan-structure pages had (/plans/<year>/..., /offices/<name>/,
/departments/<pk>/): tracking.urls is included before programs.urls."""

from django.urls import path

from tracking import compare, pages, summary_pdf

urlpatterns = [
    path("matrix/", pages.current_plan_redirect("tracking:matrix"), name="matrix_current"),
    path("summary/", pages.current_plan_redirect("tracking:annual_summary"), name="summary_current"),
    path("plans/<int:year>/", pages.DashboardView.as_view(), name="dashboard"),
    path("plans/<int:year>/matrix/", pages.MatrixView.as_view(), name="matrix"),
    path("plans/<int:year>/completeness/", pages.CompletenessView.as_view(), name="completeness"),
    path("plans/<int:year>/compare/", compare.CompareView.as_view(), name="compare"),
    path("completeness/", pages.current_plan_redirect("tracking:completeness"), name="completeness_current"),
    path("plans/<int:year>/programs/<int:number>/", pages.ProgramProgressView.as_view(), name="program_detail"),
    path("plans/<int:year>/items/<workitem_code:code>/", pages.WorkItemProgressView.as_view(), name="workitem_detail"),
    path("offices/<str:short_name>/", pages.OfficeProgressView.as_view(), name="office_detail"),
    path("departments/<int:pk>/", pages.DepartmentProgressView.as_view(), name="department_detail"),
    path("reports/<int:year>/summary/", pages.AnnualSummaryView.as_view(), name="annual_summary"),
    path("reports/<int:year>/summary.pdf", summary_pdf.AnnualSummaryPdfView.as_view(), name="annual_summary_pdf"),
]
