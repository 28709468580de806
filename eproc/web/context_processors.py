from django.conf import settings


def lpse(request):
    return {"lpse": settings.EPROC_LPSE, "sandbox": settings.EPROC_SANDBOX}
