from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.urls import reverse

from supporters.models import Supporter


class ActivityEntity(models.Model):
    """An external thing that activities point at: an event, a petition, a meeting.

    Identified by ``(source, external_id)``; the latest values sent for it win.
    """

    kind = models.CharField(max_length=255, db_index=True)
    source = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    metadata = models.JSONField(default=dict, blank=True)
    external_url = models.URLField(max_length=2048, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = "activity entity"
        verbose_name_plural = "activity entities"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="activityentity_source_external_id_uniq"
            )
        ]
        indexes = [models.Index(fields=["name", "id"])]

    def __str__(self):
        return f"{self.name} ({self.kind})"

    def get_absolute_url(self):
        return reverse("entity-detail", args=[self.pk])


class Activity(models.Model):
    """Something a supporter did at ``happened_at``: an RSVP, a signature, a door knock.

    ``external_id``, when given, is unique across all activities and is the upsert key.
    """

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="activities")
    external_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    topic = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    source = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=255, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    happened_at = models.DateTimeField()
    entities = models.ManyToManyField(
        ActivityEntity, through="ActivityEntityLink", related_name="activities", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-happened_at", "-id"]
        indexes = [
            # The supporter timeline: one supporter's activities, newest first.
            models.Index(fields=["supporter", "-happened_at", "-id"], name="activity_timeline_idx"),
            models.Index(fields=["topic", "supporter"], name="activity_topic_idx"),
            models.Index(fields=["happened_at"], name="activity_happened_at_idx"),
            # Incremental sync reads everything changed since a point in time.
            models.Index(fields=["updated_at", "id"], name="activity_updated_at_idx"),
        ]

    def __str__(self):
        return self.title


class ActivityEntityLink(models.Model):
    """The link between one activity and one entity it names."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="entity_links")
    entity = models.ForeignKey(ActivityEntity, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "entity"], name="activityentitylink_uniq")
        ]
        # "Activities linked to entity X" walks this index; the unique constraint serves the
        # activity side.
        indexes = [models.Index(fields=["entity", "activity"], name="link_entity_activity_idx")]

    def __str__(self):
        return f"activity {self.activity_id} → entity {self.entity_id}"


class SavedSearch(models.Model):
    """A named supporter search that re-runs live: its filter parameters, owner and sharing.

    ``params`` maps each query parameter of the supporter search to its list of values, as in
    ``{"topic": ["event_attendance"], "within_days": ["90"]}``.
    """

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    shared = models.BooleanField(
        default=False, help_text="Shared searches are visible to all staff; others to the owner."
    )
    params = models.JSONField(default=dict, blank=True)
    last_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many supporters the search found when last run."
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "saved searches"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"], name="savedsearch_owner_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("saved-search-detail", args=[self.pk])

    @property
    def query_string(self) -> str:
        """The parameters as a URL query string, for the search page and the API."""
        return urlencode([(key, value) for key, values in self.params.items() for value in values])
