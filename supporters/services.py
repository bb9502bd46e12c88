"""The only writer of supporters: bulk upsert by external_id, with the contact-conflict rule."""

import logging
from dataclasses import dataclass
from typing import Any, Literal

from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from movement.models import AuditEvent
from movement.tokens import record_event
from supporters.models import Supporter

logger = logging.getLogger(__name__)

ConflictStrategy = Literal["reject", "ignore"]
SUPPORTER_FIELDS = ("first_name", "last_name", "email", "phone_number")


@dataclass
class ErasureResult:
    supporter_id: int
    activities: int
    entity_links: int


@dataclass
class SupporterResult:
    external_id: str
    id: int | None
    result: Literal["created", "updated", "unchanged", "rejected"]
    reason: str | None = None


def bulk_upsert_supporters(
    records: list[dict[str, Any]],
    *,
    conflict_strategy: ConflictStrategy = "reject",
    dry_run: bool = False,
) -> list[SupporterResult]:
    """Create or update supporters by ``external_id``, in one transaction.

    Each record carries ``external_id`` and any of the supporter fields plus ``custom_fields``.
    Present fields overwrite, absent fields are kept, and custom fields merge key by key. With
    ``conflict_strategy="reject"`` a *new* record whose email or phone number already belongs to
    another supporter is not imported, and its result gives the reason. ``"ignore"`` imports it
    anyway.
    With ``dry_run`` the writes roll back and new supporters are reported with ``id`` None.
    """
    with transaction.atomic():
        ids = [record["external_id"] for record in records]
        existing = {
            s.external_id: s
            for s in Supporter.objects.select_for_update().filter(external_id__in=ids)
        }
        owners = _contact_owners(records, existing) if conflict_strategy == "reject" else {}

        results, to_create, to_update, changed = [], [], [], set()
        for record in records:
            external_id = record["external_id"]
            supporter = existing.get(external_id)
            if supporter is None:
                reason = _contact_conflict(record, owners)
                if reason:
                    results.append(SupporterResult(external_id, None, "rejected", reason))
                    continue
                supporter = Supporter(
                    external_id=external_id,
                    custom_fields=record.get("custom_fields", {}),
                    **{name: record.get(name, "") for name in SUPPORTER_FIELDS},
                )
                existing[external_id] = supporter
                to_create.append(supporter)
                _claim_contacts(record, external_id, owners)
                results.append(SupporterResult(external_id, None, "created"))
                continue

            changes = {
                name: record[name]
                for name in SUPPORTER_FIELDS
                if name in record and getattr(supporter, name) != record[name]
            }
            if "custom_fields" in record:
                merged = {**supporter.custom_fields, **record["custom_fields"]}
                if merged != supporter.custom_fields:
                    changes["custom_fields"] = merged
            for name, value in changes.items():
                setattr(supporter, name, value)
            if changes:
                supporter.updated_at = timezone.now()
                changed.update(changes)
                if supporter not in to_update:
                    to_update.append(supporter)
            result = "updated" if changes else "unchanged"
            results.append(SupporterResult(external_id, supporter.pk, result))

        if to_create:
            Supporter.objects.bulk_create(to_create)
        if to_update:
            Supporter.objects.bulk_update(to_update, [*sorted(changed), "updated_at"])
        if dry_run:
            transaction.set_rollback(True)

    for result in results:
        if result.id is None and result.result == "created" and not dry_run:
            result.id = existing[result.external_id].pk
    logger.info(
        "Upserted %d supporter records: %d created, %d updated, %d rejected (dry_run=%s)",
        len(records),
        sum(r.result == "created" for r in results),
        sum(r.result == "updated" for r in results),
        sum(r.result == "rejected" for r in results),
        dry_run,
    )
    return results


def _contact_owners(records, existing) -> dict[tuple[str, str], str]:
    """Map each email (lower case) and phone number in the records to the supporter that has it."""
    emails = {record["email"].lower() for record in records if record.get("email")}
    phones = {record["phone_number"] for record in records if record.get("phone_number")}
    if not emails and not phones:
        return {}
    owners = {}
    query = Supporter.objects.annotate(email_lower=Lower("email")).filter(
        Q(email_lower__in=emails) | Q(phone_number__in=phones)
    )
    for external_id, email, phone in query.values_list(
        "external_id", "email_lower", "phone_number"
    ):
        if email in emails:
            owners.setdefault(("email", email), external_id)
        if phone in phones:
            owners.setdefault(("phone_number", phone), external_id)
    return owners


def _contact_conflict(record, owners) -> str | None:
    for name, key in (("email", "email"), ("phone_number", "phone_number")):
        value = record.get(name)
        if not value:
            continue
        owner = owners.get((key, value.lower() if name == "email" else value))
        if owner and owner != record["external_id"]:
            label = "email" if name == "email" else "phone number"
            return (
                f"The {label} belongs to supporter '{owner}'. Send conflict_strategy=ignore to "
                "import this record anyway."
            )
    return None


def _claim_contacts(record, external_id, owners):
    """Record a new supporter's contacts, so a later record in the batch detects the conflict."""
    if record.get("email"):
        owners.setdefault(("email", record["email"].lower()), external_id)
    if record.get("phone_number"):
        owners.setdefault(("phone_number", record["phone_number"]), external_id)


def erase_supporter(
    supporter: Supporter, *, actor=None, actor_label: str = "", ip_address=None, dry_run=False
) -> ErasureResult:
    """Delete a supporter with their activities and entity links, in one transaction.

    Entities stay, because other supporters' activities may link them. The audit event keeps
    the supporter's database id and the counts only, so the erasure leaves no personal data.
    ``actor`` is the staff user; an API call passes ``actor_label`` naming its token instead.
    With ``dry_run`` only the counts are taken: nothing is deleted or audited.
    """
    with transaction.atomic():
        # Lock the row so a concurrent ingest for this supporter either finishes first or
        # finds the supporter gone.
        locked = Supporter.objects.select_for_update().get(pk=supporter.pk)
        supporter_id = locked.pk
        activities = locked.activities.count()
        entity_links = locked.activities.aggregate(links=models.Count("entity_links"))["links"]
        if dry_run:
            logger.info("Dry run of erasing supporter %s: nothing deleted", supporter_id)
            return ErasureResult(supporter_id, activities, entity_links)
        locked.delete()
        record_event(
            AuditEvent.Action.ERASURE,
            actor=actor,
            actor_label=actor_label,
            ip_address=ip_address,
            supporter_id=supporter_id,
            activities=activities,
            entity_links=entity_links,
        )
    logger.info(
        "Erased supporter %s with %d activities and %d entity links",
        supporter_id,
        activities,
        entity_links,
    )
    return ErasureResult(supporter_id, activities, entity_links)
