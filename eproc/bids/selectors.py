from django.db.models import Q, QuerySet

from .models import Envelope, SealedBox
from .policies import committee_agencies


def boxes_for_listing() -> QuerySet[SealedBox]:
    """Boxes are public (a tender's schedule and recipient are announced); what is inside is not."""
    return SealedBox.objects.select_related("agency").order_by("-deadline")


def boxes_of(user) -> QuerySet[SealedBox]:
    """The boxes a person works with: as committee (member, or of their agency) or as admitted bidder."""
    if not user.is_authenticated:
        return SealedBox.objects.none()
    return (
        boxes_for_listing()
        .filter(Q(shares__member=user) | Q(agency_id__in=committee_agencies(user)) | Q(bidders=user))
        .distinct()
    )


def current_envelope(box: SealedBox, bidder) -> Envelope | None:
    return Envelope.objects.filter(box=box, bidder=bidder, superseded_at__isnull=True).first()


def envelopes_of_bidder(user) -> QuerySet[Envelope]:
    return Envelope.objects.filter(bidder=user).select_related("box")
