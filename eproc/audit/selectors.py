from django.db.models import QuerySet

from .models import AuditEvent
from .policies import audit_agency_scope, can_view_audit_trail


def events_visible_to(user) -> QuerySet[AuditEvent]:
    if not can_view_audit_trail(user):
        return AuditEvent.objects.none()
    queryset = AuditEvent.objects.order_by("-sequence")
    scope = audit_agency_scope(user)
    return queryset if scope is None else queryset.filter(agency_id__in=scope)
