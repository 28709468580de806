"""Atom feeds for the agencies' own websites (Pasal 7(1)c: the plan is announced "pada website ... masing-masing";
7(3)a: the committee announces the tender): the announced plan items and the tender announcements of one agency or
one work unit. Only what is public: announced, not withdrawn plan items; announced tenders. Each tender entry links
the printable A4 announcement for the official notice board."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from eproc.core.money import format_rupiah
from eproc.organizations.models import Agency, WorkUnit
from eproc.planning import selectors as planning
from eproc.tenders import selectors as tenders

# Enough for a website's "latest" box; the full lists are on the site and in the JSON API.
ENTRIES = 50


class AtomWithAnnouncement(Atom1Feed):
    """Atom, plus a link to the printable announcement (PDF) on entries that have one."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("announcement_pdf"):
            handler.addQuickElement(
                "link",
                "",
                {
                    "rel": "related",
                    "type": "application/pdf",
                    "href": item["announcement_pdf"],
                    "title": item["announcement_title"],
                },
            )


class _ScopedFeed(Feed):
    """A feed of one agency (by its public id) or one work unit (by its public id). An instance serves one request
    (see `view`), so it may keep the request to make absolute links."""

    feed_type = AtomWithAnnouncement
    scope = "agency"  # or "work_unit"

    def get_object(self, request, public_id):
        self.request = request
        if self.scope == "agency":
            return get_object_or_404(Agency, public_id=public_id, is_active=True)
        return get_object_or_404(WorkUnit.objects.select_related("agency"), public_id=public_id, is_active=True)

    def _filters(self, obj) -> dict:
        return {"agency": obj} if self.scope == "agency" else {"work_unit": obj}

    def _owner(self, obj) -> str:
        return obj.name if self.scope == "agency" else f"{obj.name}, {obj.agency.name}"

    def author_name(self, obj):
        return obj.name if self.scope == "agency" else obj.agency.name

    def _absolute(self, name, *args) -> str:
        return self.request.build_absolute_uri(reverse(name, args=args))


class PlanItemsFeed(_ScopedFeed):
    def title(self, obj):
        return _("Procurement plan (RUP): %(owner)s") % {"owner": self._owner(obj)}

    def subtitle(self, obj):
        return _("Plan items announced by the budget holders (Pasal 7(1)b-c).")

    def link(self, obj):
        query = f"?agency={obj.code}" if self.scope == "agency" else f"?work_unit={obj.public_id}"
        return reverse("planning:public_list") + query

    def items(self, obj):
        return planning.announced_items(**self._filters(obj)).order_by("-announced_at", "-pk")[:ENTRIES]

    def item_title(self, item):
        return f"{item.package_name} ({item.fiscal_year})"

    def item_description(self, item):
        return _(
            "%(work_unit)s · %(type)s · %(method)s · pagu %(budget)s · %(fund)s %(year)s · selection in month "
            "%(month)s · %(location)s"
        ) % {
            "work_unit": item.work_unit.name,
            "type": item.get_procurement_type_display(),
            "method": item.get_planned_method_display(),
            "budget": format_rupiah(item.budget),
            "fund": item.get_fund_source_display(),
            "year": item.fiscal_year,
            "month": item.planned_month,
            "location": item.location,
        }

    def item_link(self, item):
        return reverse("planning:detail", args=[item.public_id])

    def item_guid(self, item):
        return self._absolute("planning:detail", item.public_id)

    def item_pubdate(self, item):
        return item.announced_at

    def item_updateddate(self, item):
        revision = item.revisions.order_by("-changed_at").first()
        return revision.changed_at if revision else item.announced_at


class TendersFeed(_ScopedFeed):
    def title(self, obj):
        return _("Tender announcements: %(owner)s") % {"owner": self._owner(obj)}

    def subtitle(self, obj):
        return _("Tenders announced through the LPSE (Pasal 7(3)a), each with its printable announcement.")

    def link(self, obj):
        # The tender list filters by agency only.
        agency = obj if self.scope == "agency" else obj.agency
        return reverse("tenders:public_list") + f"?agency={agency.code}"

    def items(self, obj):
        rows = tenders.public_tenders(agency=obj if self.scope == "agency" else obj.agency)
        if self.scope == "work_unit":
            rows = rows.filter(work_unit=obj)
        return rows.order_by("-announced_at", "-pk")[:ENTRIES]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return _("%(work_unit)s · %(category)s · %(method)s · HPS %(hps)s · %(location)s") % {
            "work_unit": item.work_unit.name,
            "category": item.get_category_display(),
            "method": item.method_label,
            "hps": format_rupiah(item.owner_estimate),
            "location": item.location,
        }

    def item_link(self, item):
        return reverse("tenders:detail", args=[item.public_id])

    def item_guid(self, item):
        return self._absolute("tenders:detail", item.public_id)

    def item_pubdate(self, item):
        return item.announced_at

    def item_updateddate(self, item):
        """Atom's required <updated>: the last public change (an addendum, a schedule change, a cancellation)."""
        moments = [item.announced_at, item.cancelled_at, item.failed_at]
        moments.append(item.schedule_changes.order_by("-changed_at").values_list("changed_at", flat=True).first())
        moments.append(item.documents.order_by("-uploaded_at").values_list("uploaded_at", flat=True).first())
        return max(moment for moment in moments if moment is not None)

    def item_categories(self, item):
        return [item.get_category_display()]

    def item_extra_kwargs(self, item):
        return {
            "announcement_pdf": self._absolute("tenders:announcement_pdf", item.public_id),
            "announcement_title": _("Printable announcement for the notice board (PDF)"),
        }


class AgencyPlanItemsFeed(PlanItemsFeed):
    scope = "agency"


class WorkUnitPlanItemsFeed(PlanItemsFeed):
    scope = "work_unit"


class AgencyTendersFeed(TendersFeed):
    scope = "agency"


class WorkUnitTendersFeed(TendersFeed):
    scope = "work_unit"


def view(feed_class):
    def serve(request, public_id):
        return feed_class()(request, public_id=public_id)

    return serve
