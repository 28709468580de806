from django.urls import path

from . import feeds

app_name = "feeds"

# Atom feeds for the agencies' own websites (Pasal 7(1)c, 7(3)a): per agency and per work unit, by public id.
urlpatterns = [
    path("feed/instansi/<str:public_id>/rup.atom", feeds.view(feeds.AgencyPlanItemsFeed), name="agency_plan_items"),
    path("feed/instansi/<str:public_id>/lelang.atom", feeds.view(feeds.AgencyTendersFeed), name="agency_tenders"),
    path("feed/satker/<str:public_id>/rup.atom", feeds.view(feeds.WorkUnitPlanItemsFeed), name="work_unit_plan_items"),
    path("feed/satker/<str:public_id>/lelang.atom", feeds.view(feeds.WorkUnitTendersFeed), name="work_unit_tenders"),
]
