from django.db import models
from django.urls import reverse


class Supporter(models.Model):
    """A person the organisation works with (Movement calls this a *target*).

    ``external_id`` is the membership number that integrations use to name the person.
    """

    external_id = models.CharField(max_length=255, unique=True)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(max_length=254, blank=True, db_index=True)
    phone_number = models.CharField(max_length=64, blank=True, db_index=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name", "id"])]

    def __str__(self):
        return self.full_name or self.external_id

    def get_absolute_url(self):
        return reverse("supporter-detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)
