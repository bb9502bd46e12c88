from django.conf import settings


def organisation(request):
    """Add the organisation's name and time zone to every template context."""
    return {
        "organisation_name": settings.ORGANISATION_NAME,
        "organisation_time_zone": settings.ORGANISATION_TIME_ZONE,
    }
