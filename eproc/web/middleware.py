from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Indonesian for everyone unless they pick another language with the switch (stored in the language
    cookie). The browser's Accept-Language is ignored on purpose: a committee member on an English-language
    laptop still expects the Indonesian system that the regulation and the LPSE's documents speak."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
