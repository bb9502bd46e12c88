"""The read API: supporters, activities, entities and saved searches."""

urlpatterns = []
