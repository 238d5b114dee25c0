"""Report workflow pages: my work, report form, review queue, reports list."""

urlpatterns = []
