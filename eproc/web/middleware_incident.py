import logging
import secrets

logger = logging.getLogger("eproc.incidents")


class IncidentMiddleware:
    """Give every unhandled error a short incident code, log it with the traceback, and let the error page show it
    (Pasal 11(3)c). Nothing about the error itself is shown to the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        request.incident_code = "INC-" + secrets.token_hex(4).upper()
        logger.error(
            "incident %s on %s %s",
            request.incident_code,
            request.method,
            request.path,
            exc_info=exception,
            # Fields of their own in the structured log, so the helpdesk can search by the code a user reads out.
            extra={"incident": request.incident_code, "method": request.method, "path": request.path},
        )
        return None
