from django.conf import settings


def lpse(request):
    return {
        "lpse": settings.EPROC_LPSE,
        "sandbox": settings.EPROC_SANDBOX,
        # The bid upload form (bids/_submit.html) sends chunks as large as the server takes: every request costs the
        # server the same whatever its size, and a chunk cut short still counts for the bytes that came.
        "bid_chunk_bytes": settings.EPROC_MAX_BID_CHUNK_BYTES,
    }
