import zoneinfo

from django.conf import settings
from django.utils import timezone


class AdminTimeZoneMiddleware:
    """Show times in the admin in the organisation's time zone, as the staff pages do.

    Only the admin relies on Django's current time zone; the staff pages convert explicitly, and
    the API and exports speak UTC.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.time_zone = zoneinfo.ZoneInfo(settings.ORGANISATION_TIME_ZONE)

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            return self.get_response(request)
        with timezone.override(self.time_zone):
            return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy header on every HTML response.

    Staff pages load scripts, styles and images only from this site, so injected markup can
    neither pull in nor run outside code. The admin keeps inline style attributes, and the API
    docs page needs inline script for Swagger UI's setup.
    """

    strict_policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    admin_policy = strict_policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    docs_policy = admin_policy.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy_for(request.path)
        return response

    def policy_for(self, path):
        if path.startswith("/api/docs"):
            return self.docs_policy
        if path.startswith("/admin/"):
            return self.admin_policy
        return self.strict_policy
