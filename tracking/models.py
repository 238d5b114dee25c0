"""Progress reports on the work items (filled by the progress-reporting work)."""
