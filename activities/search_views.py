"""Staff search pages: the supporter search, saved searches and CSV exports."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse


@staff_member_required
def supporter_list(request):
    return HttpResponse("Supporters")
