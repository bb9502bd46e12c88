"""Staff search pages: the supporter search, saved searches and CSV exports."""

urlpatterns = []
