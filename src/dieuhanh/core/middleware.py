"""Vietnamese unless the person chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so an official whose browser
is set to English would get English. dieuhanh's interface defaults to Vietnamese: a language is
taken from the language switch (its cookie), else the account's preference, else Vietnamese.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen not in self.supported:
            user = getattr(request, "user", None)
            chosen = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
        if chosen not in self.supported:
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", chosen)
        return response
