"""Staff pages. Every view requires a logged-in staff account."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect

from activities.models import ActivityEntity
from movement.staff import staff_required
from supporters.models import Supporter


@staff_required
def home(request):
    return redirect("supporter-list")


@staff_required
def supporter_detail(request, pk):
    supporter = get_object_or_404(Supporter, pk=pk)
    return HttpResponse(str(supporter.pk))


@staff_required
def entity_list(request):
    return HttpResponse("Entities")


@staff_required
def entity_detail(request, pk):
    entity = get_object_or_404(ActivityEntity, pk=pk)
    return HttpResponse(str(entity.pk))
