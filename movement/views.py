from django.views import defaults

from movement.api import json_not_found, json_server_error


def not_found(request, exception=None):
    """Answer an unknown URL with problem JSON under /api/ and the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return defaults.server_error(request)
