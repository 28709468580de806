"""OCDS 1.1.5 releases of what the LPSE has made public (Pasal 7(1)c, 12; DESIGN 7).

Each public change becomes one release: a snapshot of everything public about the contracting process at that
moment, tagged with what changed. Private data never enters a release: participants, bids and prices only once the
opening has begun and the bids were read (the same moment the public pages show them), evaluation verdicts only with
the announced result, never a vendor's documents or a draft. Mapping (DESIGN 7): pagu -> planning.budget.amount,
HPS -> tender.value, committee -> tender.procuringEntity, work unit -> buyer, aanwijzing Q&A -> tender.enquiries,
addenda and schedule changes -> tender.amendments, the SPSE method name -> procurementMethodDetails.

A plan item (RUP) is its own contracting process in planning; a tender made from it is a new process that names the
plan item's ocid under relatedProcesses ("planning"), and a lelang ulang names the failed tender ("prior")."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from eproc.core import clock

OCDS_VERSION = "1.1"
# The extensions named by the issue: bids (opening statistics and details), lots, enquiries (aanwijzing Q&A).
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_enquiry_extension/v1.1.5/extension.json",
]
CURRENCY = "IDR"

# What each change is called in OCDS (the releaseTag codelist).
TAGS = {
    "plan.announced": "planning",
    "plan.changed": "planningUpdate",
    "plan.withdrawn": "planningUpdate",
    "tender.announced": "tender",
    "tender.amendment": "tenderAmendment",
    "tender.schedule_changed": "tenderAmendment",
    "tender.clarification_minutes": "tenderUpdate",
    "tender.bids_opened": "tenderUpdate",
    "tender.technical_concluded": "tenderUpdate",
    "tender.failed": "tenderUpdate",
    "tender.cancelled": "tenderCancellation",
    "tender.awarded": "award",
    "tender.objection": "awardUpdate",
    "tender.objection_answered": "awardUpdate",
    "tender.appeal": "awardUpdate",
    "tender.appeal_decided": "awardUpdate",
    "tender.award_letter": "awardUpdate",
    "tender.contract": "contract",
}

# Our categories against OCDS's closed procurementCategory codelist; consultancy is a service.
CATEGORIES = {
    "barang": "goods",
    "konstruksi": "works",
    "konsultansi_badan_usaha": "services",
    "konsultansi_perorangan": "services",
    "jasa_lainnya": "services",
    "konsultansi": "services",
}
# Open tenders are "open"; the simple and direct selections invite from the registered vendors, so "selective";
# Pengadaan Langsung is "direct" (Perpres 54/2010 Pasal 39).
METHODS = {
    "lelang_umum": "open",
    "seleksi_umum": "open",
    "lelang_sederhana": "open",
    "seleksi_sederhana": "open",
    "pemilihan_langsung": "selective",
    "pengadaan_langsung": "direct",
    "penunjukan_langsung": "limited",
    "swakelola": "direct",
}
AWARD_CRITERIA = {
    "gugur": "priceOnly",
    "biaya_terendah": "priceOnly",
    "umur_ekonomis": "costOnly",
    "nilai": "ratedCriteria",
    "kualitas_biaya": "ratedCriteria",
    "kualitas": "qualityOnly",
    "pagu_anggaran": "qualityOnly",
}


def ocid_for(public_id: str) -> str:
    return f"{settings.EPROC_OCID_PREFIX}-{public_id}"


def _url(name: str, **kwargs) -> str:
    return settings.EPROC_PUBLIC_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _date(moment) -> str | None:
    if moment is None:
        return None
    return clock.ensure_aware(moment).astimezone(clock.as_zone(settings.TIME_ZONE)).isoformat()


def _amount(value) -> dict | None:
    if value is None:
        return None
    value = Decimal(value)
    number = int(value) if value == value.to_integral_value() else float(value)
    return {"amount": number, "currency": CURRENCY}


def _drop_empty(data):
    """OCDS forbids empty strings, arrays and objects where a value is expected: leave such fields out."""
    if isinstance(data, dict):
        cleaned = {key: _drop_empty(value) for key, value in data.items()}
        return {key: value for key, value in cleaned.items() if value not in (None, "", [], {})}
    if isinstance(data, list):
        return [item for item in (_drop_empty(value) for value in data) if item not in (None, "", [], {})]
    return data


def _release(*, ocid: str, release_id: str, kind: str, moment, body: dict) -> dict:
    return _drop_empty(
        {
            "ocid": ocid,
            "id": release_id,
            "date": _date(moment),
            "tag": [TAGS[kind]],
            "initiationType": "tender",
            "language": "id",
            **body,
        }
    )


# --- Plan items (RUP, Pasal 7(1)a-c) -------------------------------------------------------------------------------


def _party_work_unit(work_unit) -> dict:
    return {
        "id": f"skpd-{work_unit.public_id}",
        "name": f"{work_unit.name} ({work_unit.agency.name})",
        "address": {"streetAddress": work_unit.address, "countryName": "Indonesia"},
        "roles": ["buyer"],
    }


def _planning(item) -> dict:
    return {
        "rationale": item.description,
        "budget": {
            "id": item.budget_reference or item.public_id,
            "description": f"{item.get_fund_source_display()} {item.fiscal_year}",
            "amount": _amount(item.budget),
            "project": item.package_name,
        },
        "documents": [
            {
                "id": f"rup-{item.public_id}",
                "documentType": "procurementPlan",
                "title": item.package_name,
                "url": _url("planning:detail", public_id=item.public_id),
                "datePublished": _date(item.announced_at),
                "language": "id",
            }
        ],
    }


def plan_release(item, *, kind: str, release_id: str) -> dict:
    work_unit = _party_work_unit(item.work_unit)
    status = "withdrawn" if item.withdrawn_at else "planned"
    return _release(
        ocid=ocid_for(item.public_id),
        release_id=release_id,
        kind=kind,
        moment=clock.now(),
        body={
            "parties": [work_unit],
            "buyer": {"id": work_unit["id"], "name": work_unit["name"]},
            "planning": _planning(item),
            "tender": {
                "id": item.public_id,
                "title": item.package_name,
                "description": item.description,
                "status": status,
                "procurementMethodDetails": item.get_planned_method_display(),
                "mainProcurementCategory": CATEGORIES.get(item.procurement_type),
                "value": _amount(item.budget),
            },
        },
    )


# --- Tenders (Pasal 7(3)-(4)) --------------------------------------------------------------------------------------


def _tender_status(tender, now) -> str:
    if tender.cancelled_at is not None:
        return "cancelled"
    if tender.failed_at is not None:
        return "unsuccessful"
    if hasattr(tender, "contract"):
        return "complete"
    return "active"


def _committee(tender) -> dict:
    # The committee as one body: its members' names are on the decree, not needed by the feed.
    name = "Pejabat Pengadaan" if tender.is_pengadaan_langsung else "Pokja ULP"
    return {
        "id": f"pokja-{tender.public_id}",
        "name": f"{name} {tender.agency.name}: {tender.title}"[:300],
        "roles": ["procuringEntity"],
    }


def _vendor_party(vendor, roles) -> dict:
    return {"id": f"penyedia-{vendor.public_id}", "name": vendor.name, "roles": sorted(roles)}


def _period(window) -> dict | None:
    return {"startDate": _date(window.starts_at), "endDate": _date(window.ends_at)} if window else None


def _milestones(tender, now) -> list[dict]:
    from eproc.tenders import lifecycle

    return [
        {
            "id": window.stage.value,
            "title": str(window.stage.label),
            "type": "engagement" if window.stage in _ENGAGEMENT else "assessment",
            "dueDate": _date(window.ends_at),
            "status": "met" if window.ends_at <= now else "scheduled",
        }
        for window in lifecycle.windows(tender)
    ]


def _engagement_stages():
    from eproc.tenders.lifecycle import Stage

    return {
        Stage.ANNOUNCEMENT_POST,
        Stage.ANNOUNCEMENT_PRE,
        Stage.INVITATION,
        Stage.QUALIFICATION_DOWNLOAD,
        Stage.QUALIFICATION_UPLOAD,
        Stage.DOCUMENT_DOWNLOAD,
        Stage.CLARIFICATION,
        Stage.BID_UPLOAD,
        Stage.OBJECTIONS,
        Stage.QUALIFICATION_OBJECTIONS,
    }


_ENGAGEMENT = _engagement_stages()


def _amendments(tender) -> list[dict]:
    from eproc.tenders.models import TenderDocument

    amendments = [
        {
            "id": f"adendum-{document.public_id}",
            "date": _date(document.uploaded_at),
            "rationale": document.change_note,
            "description": f"{document.title} (versi {document.version})",
        }
        for document in tender.documents.filter(kind=TenderDocument.Kind.ADDENDUM).order_by("uploaded_at", "pk")
    ]
    amendments += [
        {
            "id": f"jadwal-{change.pk}",
            "date": _date(change.changed_at),
            "rationale": change.reason,
            "description": f"{change.stage}: {_date(change.old_starts_at)}/{_date(change.old_ends_at)} -> "
            f"{_date(change.new_starts_at)}/{_date(change.new_ends_at)}",
        }
        for change in tender.schedule_changes.all().order_by("changed_at", "pk")
    ]
    return amendments


def _documents(tender) -> list[dict]:
    from eproc.tenders.models import TenderDocument

    documents = [
        {
            "id": "pengumuman",
            "documentType": "tenderNotice",
            "title": f"Pengumuman: {tender.title}",
            "url": _url("tenders:announcement_pdf", public_id=tender.public_id),
            "datePublished": _date(tender.announced_at),
            "format": "application/pdf",
            "language": "id",
        }
    ]
    for document in tender.documents.order_by("uploaded_at", "pk"):
        documents.append(
            {
                "id": f"dokumen-{document.public_id}",
                "documentType": "biddingDocuments"
                if document.kind != TenderDocument.Kind.ADDENDUM
                else "clarifications",
                "title": f"{document.title} (versi {document.version})",
                "description": document.change_note,
                # Bidding documents are handed to joined vendors (each download recorded); the link leads there.
                "url": _url("tenders:detail", public_id=tender.public_id),
                "datePublished": _date(document.uploaded_at),
                "format": "application/pdf",
                "language": "id",
            }
        )
    if tender.clarification_closed_at:
        documents.append(
            {
                "id": "ba-penjelasan",
                "documentType": "clarifications",
                "title": "Berita Acara Pemberian Penjelasan",
                "url": _url("tenders:detail", public_id=tender.public_id),
                "datePublished": _date(tender.clarification_closed_at),
                "format": "application/pdf",
                "language": "id",
            }
        )
    return documents


def _enquiries(tender) -> list[dict]:
    # Anonymous, as on the public page: the question and the committee's answer, never who asked.
    return [
        {
            "id": question.public_id,
            "date": _date(question.asked_at),
            "title": question.get_section_display(),
            "description": question.text,
            "answer": question.answer,
            "dateAnswered": _date(question.answered_at),
        }
        for question in tender.questions.filter(answered_at__isnull=False).order_by("asked_at", "pk")
    ]


def _bid_status(bid, decided: dict | None) -> str:
    from eproc.evaluation.models import Bid

    if bid.status != Bid.Status.READ:
        return "disqualified"
    if decided is None:
        return "pending"
    return "valid" if decided.get("eligible") else "disqualified"


def _bids(tender, result) -> dict | None:
    """Bid statistics and details (bids extension) once the bids were read after the opening (issue 6.2): the same
    moment the public page shows participants and prices. Verdicts come only from the announced result."""
    from eproc.evaluation import selectors as evaluation

    if not evaluation.prices_are_public(tender):
        return None
    from eproc.bids.models import Envelope

    ranking = {row["vendor"]: row for row in (result.ranking if result and result.announced_at else [])}
    decided = bool(ranking)
    # A bid's date is when it was sealed and committed (the receipt's time), not when it was read.
    committed = {}
    for bidder_id, committed_at in Envelope.objects.filter(
        box__reference=tender.public_id, superseded_at__isnull=True
    ).values_list("bidder_id", "committed_at"):
        committed[bidder_id] = min(committed_at, committed.get(bidder_id, committed_at))
    details = []
    for bid in tender.bids.select_related("participant__vendor").prefetch_related("participant__vendor__members"):
        vendor = bid.participant.vendor
        row = ranking.get(vendor.public_id)
        dates = [committed[m.user_id] for m in vendor.members.all() if m.user_id in committed]
        details.append(
            {
                "id": bid.public_id,
                "date": _date(min(dates) if dates else bid.read_at),
                "status": _bid_status(bid, row if decided else None),
                "tenderers": [{"id": f"penyedia-{vendor.public_id}", "name": vendor.name}],
                "value": _amount(bid.price),
            }
        )
    prices = [bid["value"]["amount"] for bid in details if bid.get("value") and bid["status"] == "valid"]
    statistics = [
        {"id": "bids", "measure": "bids", "value": len(details)},
        {"id": "bidders", "measure": "bidders", "value": len(details)},
        {"id": "electronicBids", "measure": "electronicBids", "value": len(details)},
    ]
    if decided:
        statistics.append({"id": "validBids", "measure": "validBids", "value": len(prices)})
        if prices:
            statistics.append(
                {"id": "lowestValidBidValue", "measure": "lowestValidBidValue", "value": min(prices), "currency": "IDR"}
            )
            statistics.append(
                {
                    "id": "highestValidBidValue",
                    "measure": "highestValidBidValue",
                    "value": max(prices),
                    "currency": "IDR",
                }
            )
    for statistic in statistics:
        statistic["date"] = _date(clock.now())
    return {"statistics": statistics, "details": details}


def _awards(tender) -> list[dict]:
    """Every announced result: the standing one "active" (or "pending" before its masa sanggah ends), a result voided
    by a justified objection or appeal "cancelled"."""
    awards = []
    for result in tender.results.filter(announced_at__isnull=False).select_related("winner__vendor"):
        vendor = result.winner.vendor
        if result.voided_at:
            status = "cancelled"
        elif hasattr(tender, "award_letter") or hasattr(tender, "contract"):
            status = "active"
        else:
            status = "pending"
        documents = [
            {
                "id": f"bahp-{result.pk}",
                "documentType": "evaluationReports",
                "title": "Berita Acara Hasil Pelelangan",
                "url": _url("evaluation:result_minutes", public_id=tender.public_id),
                "datePublished": _date(result.announced_at),
                "format": "application/pdf",
                "language": "id",
            }
        ]
        letter = getattr(tender, "award_letter", None)
        if letter is not None and letter.result_id == result.pk:
            documents.append(
                {
                    "id": f"sppbj-{letter.pk}",
                    "documentType": "awardNotice",
                    "title": f"SPPBJ {letter.number}",
                    "url": _url("evaluation:award_letter_pdf", public_id=tender.public_id),
                    "datePublished": _date(letter.issued_at),
                    "format": "application/pdf",
                    "language": "id",
                }
            )
        awards.append(
            {
                "id": f"hasil-{result.pk}",
                "title": tender.title,
                "description": result.reasons,
                "status": status,
                "date": _date(result.announced_at),
                "value": _amount(result.winning_price),
                "suppliers": [{"id": f"penyedia-{vendor.public_id}", "name": vendor.name}],
                "documents": documents,
            }
        )
    return awards


def _contracts(tender, awards) -> list[dict]:
    contract = getattr(tender, "contract", None)
    if contract is None:
        return []
    letter = getattr(tender, "award_letter", None)
    award_id = f"hasil-{letter.result_id}" if letter else awards[-1]["id"]
    return [
        {
            "id": f"kontrak-{contract.pk}",
            "awardID": award_id,
            "title": f"Kontrak {contract.number}",
            "status": "active",
            "period": {"startDate": _date_only(contract.starts_on), "endDate": _date_only(contract.ends_on, end=True)},
            "value": _amount(contract.value),
            "dateSigned": _date_only(contract.signed_on),
            "documents": [
                {
                    "id": f"kontrak-{contract.pk}",
                    "documentType": "contractNotice",
                    "title": f"Kontrak {contract.number}",
                    "url": _url("tenders:detail", public_id=tender.public_id),
                    "datePublished": _date(contract.recorded_at),
                    "language": "id",
                }
            ],
        }
    ]


def _date_only(day, *, end: bool = False) -> str:
    from datetime import datetime, time

    moment = datetime.combine(day, time(23, 59, 59) if end else time(0, 0), tzinfo=clock.as_zone(settings.TIME_ZONE))
    return moment.isoformat()


def _objection_documents(tender) -> list[dict]:
    """Objections and appeals (sanggah, sanggah banding) are public with their answers (Pasal 7(3)d): as documents
    of type "complaints"; the appeal body is a reviewBody party."""
    documents = []
    for objection in tender.objections.select_related("appeal").order_by("filed_at", "pk"):
        url = _url("evaluation:objections", public_id=tender.public_id)
        documents.append(
            {
                "id": f"sanggah-{objection.public_id}",
                "documentType": "complaints",
                "title": "Sanggah",
                "description": objection.text
                + (f"\n\nJawaban Pokja: {objection.answer}" if objection.answered_at else ""),
                "url": url,
                "datePublished": _date(objection.filed_at),
                "dateModified": _date(objection.answered_at),
                "language": "id",
            }
        )
        appeal = getattr(objection, "appeal", None)
        if appeal is not None:
            documents.append(
                {
                    "id": f"sanggah-banding-{objection.public_id}",
                    "documentType": "complaints",
                    "title": "Sanggah banding",
                    "description": appeal.text + (f"\n\nKeputusan: {appeal.decision}" if appeal.decided_at else ""),
                    "url": url,
                    "datePublished": _date(appeal.filed_at),
                    "dateModified": _date(appeal.decided_at),
                    "language": "id",
                }
            )
    return documents


def tender_release(tender, *, kind: str, release_id: str) -> dict:
    from eproc.evaluation import selectors as evaluation
    from eproc.tenders import lifecycle
    from eproc.tenders.lifecycle import Stage

    now = clock.now()
    work_unit = _party_work_unit(tender.work_unit)
    committee = _committee(tender)
    parties = {work_unit["id"]: work_unit, committee["id"]: committee}
    result = evaluation.standing_result(tender)
    bids = _bids(tender, result)
    awards = _awards(tender)
    roles: dict = {}
    if bids:
        for bid in bids["details"]:
            for tenderer in bid["tenderers"]:
                roles.setdefault(tenderer["id"], {"name": tenderer["name"], "roles": set()})["roles"].add("tenderer")
    for award in awards:
        if award["status"] != "cancelled":
            for supplier in award["suppliers"]:
                roles.setdefault(supplier["id"], {"name": supplier["name"], "roles": set()})["roles"].add("supplier")
    for party_id, party in roles.items():
        parties[party_id] = {"id": party_id, "name": party["name"], "roles": sorted(party["roles"])}
    objection_documents = _objection_documents(tender)
    if any(document["title"] == "Sanggah banding" for document in objection_documents):
        # Appeals are decided by the PA/KPA of the work unit (eproc's reading of Pasal 82; see the closing notes).
        holder = tender.plan_item.pa_name or "PA/KPA"
        parties["pa"] = {"id": "pa", "name": f"{holder} (PA/KPA {tender.work_unit.name})", "roles": ["reviewBody"]}
    upload = lifecycle.window_of(tender, Stage.BID_UPLOAD)
    clarification = lifecycle.window_of(tender, Stage.CLARIFICATION)
    award_start = lifecycle.window_of(tender, Stage.WINNER_DECISION)
    contract_window = lifecycle.window_of(tender, Stage.CONTRACT)
    related = [
        {
            "id": "rup",
            "relationship": ["planning"],
            "title": tender.plan_item.package_name,
            "scheme": "ocid",
            "identifier": ocid_for(tender.plan_item.public_id),
            "uri": _url("planning:detail", public_id=tender.plan_item.public_id),
        }
    ]
    if tender.repeat_of_id:
        related.append(
            {
                "id": "lelang-sebelumnya",
                "relationship": ["prior", "unsuccessfulProcess"],
                "title": tender.repeat_of.title,
                "scheme": "ocid",
                "identifier": ocid_for(tender.repeat_of.public_id),
                "uri": _url("tenders:detail", public_id=tender.repeat_of.public_id),
            }
        )
    tender_section = {
        "id": tender.public_id,
        "title": tender.title,
        "description": tender.description,
        "status": _tender_status(tender, now),
        "procuringEntity": {"id": committee["id"], "name": committee["name"]},
        "value": _amount(tender.owner_estimate),
        "procurementMethod": METHODS.get(tender.method),
        "procurementMethodDetails": str(tender.method_label),
        "mainProcurementCategory": CATEGORIES.get(tender.category),
        "additionalProcurementCategories": ["consultingServices"] if "konsultansi" in tender.category else [],
        "awardCriteria": AWARD_CRITERIA.get(tender.evaluation_method),
        "awardCriteriaDetails": tender.get_evaluation_method_display(),
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": "Penawaran tersegel (age) melalui LPSE; tanda terima bertanda tangan.",
        "eligibilityCriteria": tender.qualification_requirements,
        "tenderPeriod": _period(upload),
        "enquiryPeriod": _period(clarification),
        "awardPeriod": {
            "startDate": _date(award_start.starts_at) if award_start else None,
            "endDate": _date(contract_window.ends_at) if contract_window else None,
        },
        "hasEnquiries": tender.questions.exists(),
        "enquiries": _enquiries(tender),
        "documents": _documents(tender) + objection_documents,
        "milestones": _milestones(tender, now),
        "amendments": _amendments(tender),
    }
    if bids:
        tender_section["numberOfTenderers"] = len(bids["details"])
        tender_section["tenderers"] = [tenderer for bid in bids["details"] for tenderer in bid["tenderers"]]
    return _release(
        ocid=ocid_for(tender.public_id),
        release_id=release_id,
        kind=kind,
        moment=now,
        body={
            "parties": list(parties.values()),
            "buyer": {"id": work_unit["id"], "name": work_unit["name"]},
            "planning": _planning(tender.plan_item),
            "tender": tender_section,
            "bids": bids,
            "awards": awards,
            "contracts": _contracts(tender, awards),
            "relatedProcesses": related,
        },
    )


def package(releases: list[dict], *, uri: str, published) -> dict:
    """A release package (OCDS 1.1.5) around releases, with the publisher and the extensions used."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": _date(published),
        "publisher": {"name": settings.EPROC_PUBLISHER_NAME, "uri": settings.EPROC_PUBLIC_URL},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": settings.EPROC_PUBLIC_URL.rstrip("/") + "/tentang/",
        "releases": releases,
    }
