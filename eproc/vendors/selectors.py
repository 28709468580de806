from django.db.models import Exists, OuterRef, Q, QuerySet

from eproc.core import clock

from .models import QualificationItem, Sanction, Submission, Vendor
from .requirements import SECTIONS_BY_KEY, sections_for


def current_items(vendor: Vendor, section: str | None = None) -> QuerySet[QualificationItem]:
    items = vendor.items.filter(removed_at__isnull=True).select_related("document")
    return items.filter(section=section) if section else items


def completeness(vendor: Vendor) -> list[dict]:
    """Per section: how many items, how many are needed, which lack a required document, which are expired."""
    today = clock.today_in("Asia/Jakarta").isoformat()
    rows = []
    for section in sections_for(vendor.kind):
        items = list(current_items(vendor, section.key))
        missing_documents = [item for item in items if section.document_required and item.document_id is None]
        expired = [
            item
            for item in items
            if section.expires_field
            and item.data.get(section.expires_field)
            and item.data[section.expires_field] < today
        ]
        rows.append(
            {
                "section": section,
                "items": items,
                "count": len(items),
                "minimum": section.minimum_items,
                "missing_documents": missing_documents,
                "expired": expired,
                "complete": len(items) >= section.minimum_items and not missing_documents,
            }
        )
    return rows


def expired_licences(vendor: Vendor) -> list[QualificationItem]:
    return [item for row in completeness(vendor) for item in row["expired"]]


def verification_queue() -> QuerySet[Submission]:
    return Submission.objects.filter(decided_at__isnull=True).select_related("vendor").order_by("submitted_at")


def latest_submission(vendor: Vendor) -> Submission | None:
    return vendor.submissions.select_related("verification").first()


def sanctions_in_force() -> QuerySet[Sanction]:
    today = clock.today_in("Asia/Jakarta")
    return (
        Sanction.objects.select_related("vendor")
        .filter(lifted_at__isnull=True, starts_on__lte=today)
        .exclude(ends_on__lt=today)
    )


def directory(query: str = "") -> QuerySet[Vendor]:
    """Verified vendors, public (name, city, business fields, licence status, sanctions)."""
    today = clock.today_in("Asia/Jakarta")
    in_force = Sanction.objects.filter(vendor=OuterRef("pk"), lifted_at__isnull=True, starts_on__lte=today).exclude(
        ends_on__lt=today
    )
    vendors = Vendor.objects.filter(activated_at__isnull=False).annotate(sanctioned=Exists(in_force))
    if query:
        licences = QualificationItem.objects.filter(
            vendor=OuterRef("pk"),
            section="izin_usaha",
            removed_at__isnull=True,
            data__classification__icontains=query,
        )
        vendors = vendors.filter(Q(name__icontains=query) | Q(city__icontains=query) | Exists(licences))
    return vendors.order_by("name")


def directory_rows(vendors) -> list[dict]:
    """Each directory vendor with its business fields and whether its licences are in force (one query)."""
    today = clock.today_in("Asia/Jakarta").isoformat()
    vendors = list(vendors)
    licences: dict[int, list[dict]] = {}
    for vendor_id, data in QualificationItem.objects.filter(
        vendor__in=vendors, section="izin_usaha", removed_at__isnull=True
    ).values_list("vendor_id", "data"):
        licences.setdefault(vendor_id, []).append(data)
    rows = []
    for vendor in vendors:
        own = licences.get(vendor.pk, [])
        rows.append(
            {
                "vendor": vendor,
                "fields": sorted({item.get("classification", "") for item in own} - {""}),
                "licences_expired": any(item.get("valid_until") and item["valid_until"] < today for item in own),
            }
        )
    return rows


def section(key: str):
    return SECTIONS_BY_KEY.get(key)
