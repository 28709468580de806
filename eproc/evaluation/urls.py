from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("lelang/<str:public_id>/penawaran/", views.bid, name="bid"),
    path("lelang/<str:public_id>/bahp.pdf", views.result_minutes, name="result_minutes"),
    path("lelang/<str:public_id>/sanggah/", views.objections, name="objections"),
    path("lelang/<str:public_id>/sanggah/<str:objection_id>/jawab/", views.answer_objection, name="answer_objection"),
    path("lelang/<str:public_id>/sanggah/<str:objection_id>/banding/", views.appeal, name="appeal"),
    path("lelang/<str:public_id>/sanggah/<str:objection_id>/putusan/", views.decide_appeal, name="decide_appeal"),
    path(
        "lelang/<str:public_id>/sanggah/<str:objection_id>/dokumen/",
        views.objection_document,
        name="objection_document",
    ),
    path("lelang/<str:public_id>/sppbj.pdf", views.award_letter_pdf, name="award_letter_pdf"),
    path("lelang/kelola/<str:public_id>/evaluasi/", views.evaluation, name="evaluation"),
    path("lelang/kelola/<str:public_id>/evaluasi/baca/", views.read_bids, name="read_bids"),
    path("lelang/kelola/<str:public_id>/evaluasi/<str:bid_id>/", views.record_evaluation, name="record_evaluation"),
    path("lelang/kelola/<str:public_id>/selesai-teknis/", views.conclude_technical, name="conclude_technical"),
    path("lelang/kelola/<str:public_id>/penetapan/", views.decide_winner, name="decide_winner"),
    path("lelang/kelola/<str:public_id>/pengumuman-pemenang/", views.announce_winner, name="announce_winner"),
    path("lelang/kelola/<str:public_id>/gagal/", views.declare_failed, name="declare_failed"),
    path("lelang/kelola/<str:public_id>/batal/", views.cancel, name="cancel"),
    path("lelang/kelola/<str:public_id>/undang/", views.invite, name="invite"),
    path("lelang/kelola/<str:public_id>/kontrak/", views.award, name="award"),
    path("lelang/kelola/<str:public_id>/kontrak/pindaian/", views.contract_scan, name="contract_scan"),
]
