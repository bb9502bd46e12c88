"""Access control for staff pages.

Django's ``staff_member_required`` sends a logged-in non-staff user to the admin login page,
which looks like a broken login to them. Staff pages instead send anonymous users to
``settings.LOGIN_URL`` and respond to a logged-in non-staff user with 403 Forbidden.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def check_staff(request):
    """Return a login redirect for anonymous users, raise PermissionDenied for non-staff.

    Return None when the user is an active staff member.
    """
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("This page is for staff accounts only.")
    return None


def staff_required(view_func):
    """Decorate a function view so that only active staff members reach it."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        denied = check_staff(request)
        if denied is not None:
            return denied
        return view_func(request, *args, **kwargs)

    return wrapper


class StaffRequiredMixin:
    """Class-based view mixin with the same rule as ``staff_required``."""

    def dispatch(self, request, *args, **kwargs):
        denied = check_staff(request)
        if denied is not None:
            return denied
        return super().dispatch(request, *args, **kwargs)
