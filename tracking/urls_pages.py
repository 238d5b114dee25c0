"""Progress pages: plan dashboard, program and work item progress, participation matrix, summaries."""

urlpatterns = []
