from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from movement.views import UnknownEndpointView

api_patterns = [
    path("", include("activities.api.urls")),
    path("", include("activities.api.read_urls")),
    path("", include("supporters.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: any other path under /api/ gets problem JSON, also when DEBUG shows HTML pages.
    re_path(r"^", UnknownEndpointView.as_view(), name="api-not-found"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include(api_patterns)),
    path("", include("activities.search_urls")),
    path("", include("activities.urls")),
]

handler404 = "movement.views.not_found"
handler500 = "movement.views.server_error"
