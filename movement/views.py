from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import APIView

from movement.api import json_not_found, json_server_error
from movement.auth import HasToken


def not_found(request, exception=None):
    """Render a 404 as problem JSON under /api/ and as the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return defaults.server_error(request)


class UnknownEndpointView(APIView):
    """Any path under ``/api/`` that names no endpoint: 401 without a token, 404 with one."""

    permission_classes = [HasToken]
    schema = None

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound(
            f"No API endpoint at {request.path}. See /api/docs/.", code="not_found"
        )

    post = put = patch = delete = get
