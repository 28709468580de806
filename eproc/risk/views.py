"""Risk indicator pages for the Inspektorat and the Head of LPSE. Thin: policy, selectors, template."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from eproc.permissions import require_or_404

from . import indicators, policies, selectors


@login_required
def ranking(request):
    """The riskiest tenders first; an auditor of one agency sees that agency's tenders (scored over all)."""
    require_or_404(policies.can_read_risk(request.user))
    report = selectors.risk_report()
    visible = [row for row in report.rows if policies.can_read_tender_risk(request.user, row.tender)]
    return render(
        request,
        "risk/ranking.html",
        {
            "rows": [row for row in visible if row.flags],
            "assessed": len(visible),
            "catalog": indicators.CATALOG.values(),
        },
    )


@login_required
def tender(request, public_id):
    """One tender's flags, each with its explanation and the values behind it."""
    tender = selectors.tender_or_404(public_id)
    require_or_404(policies.can_read_tender_risk(request.user, tender))
    report = selectors.risk_report()
    return render(
        request,
        "risk/tender.html",
        {"tender": tender, "row": report.by_public_id.get(tender.public_id), "config": report.config},
    )
