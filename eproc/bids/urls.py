from django.urls import path

from . import api, views

app_name = "bids"

urlpatterns = [
    path("penawaran/", views.box_list, name="box_list"),
    path("penawaran/kunci-panitia/", views.committee_key, name="committee_key"),
    path("penawaran/kotak/baru/", views.box_create, name="box_create"),
    path("penawaran/kotak/<str:public_id>/", views.box_detail, name="box_detail"),
    path("penawaran/kotak/<str:public_id>/berita-acara.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("penawaran/amplop/<str:public_id>/terbuka/", views.opened_plaintext, name="opened_plaintext"),
    # JSON
    path("api/v1/bids/committee-keys", api.committee_key, name="api_committee_key"),
    path("api/v1/bids/boxes/<str:box_id>/commitments", api.commit, name="api_commit"),
    path("api/v1/bids/boxes/<str:box_id>/my-share", api.my_share, name="api_my_share"),
    path("api/v1/bids/boxes/<str:box_id>/shares", api.submit_share, name="api_submit_share"),
    path("api/v1/bids/boxes/<str:box_id>/checkpoint", api.box_checkpoint, name="api_box_checkpoint"),
    path("api/v1/bids/envelopes/<str:envelope_id>", api.envelope_state, name="api_envelope"),
    path("api/v1/bids/envelopes/<str:envelope_id>/chunks/<int:offset>", api.chunk, name="api_chunk"),
    path("api/v1/bids/envelopes/<str:envelope_id>/complete", api.complete, name="api_complete"),
    path("api/v1/bids/envelopes/<str:envelope_id>/receipt", api.receipt, name="api_receipt"),
    path("api/v1/bids/public-key", api.public_key, name="api_public_key"),
    path("api/v1/bids/log/checkpoint", api.checkpoint, name="api_checkpoint"),
    path("api/v1/bids/log/checkpoints/<int:size>", api.checkpoint_of_size, name="api_checkpoint_of_size"),
    path("api/v1/bids/log/entries/<int:index>", api.inclusion, name="api_inclusion"),
    path("api/v1/bids/log/consistency", api.consistency, name="api_consistency"),
]
