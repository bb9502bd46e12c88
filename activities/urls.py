from django.urls import path

from activities import views

urlpatterns = [
    path("", views.home, name="home"),
    path("supporters/<int:pk>/", views.supporter_detail, name="supporter-detail"),
    path("entities/", views.entity_list, name="entity-list"),
    path("entities/<int:pk>/", views.entity_detail, name="entity-detail"),
    path("entities/<int:pk>/export.csv", views.entity_export, name="entity-export"),
]
