"""Django's LocaleMiddleware with less work on every request.

Each request pays every middleware in ``settings.MIDDLEWARE`` before and after its view
(the request floor: docs/benchmarks.md). The behaviour is Django's; only the work that
gives the same answer every time is done once.

SecurityMiddleware and XFrameOptionsMiddleware stay Django's own, under their own names:
``check --deploy`` looks for those names, and skips the HSTS and HTTPS checks without
them (one merged layer would save ~25 Python calls a request, not worth those checks).
"""

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

#: (language cookie, Accept-Language header) -> the language Django chooses for them.
#: Bounded: the header is the client's; past the bound a pair is worked out each time.
_chosen_languages: dict[tuple[str | None, str], str] = {}
CHOSEN_LANGUAGES_MAX = 1000


@receiver(setting_changed)
def _languages_changed(setting, **kwargs) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LANGUAGE_COOKIE_NAME", "LOCALE_PATHS"}:
        _chosen_languages.clear()


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, choosing the language once per (cookie, Accept-Language).

    Without language-prefixed URLs (``i18n_patterns``, not used here; with them, Django's
    own code runs) the choice depends on those two values only: the language cookie
    (set by ``set_language``), else the first supported Accept-Language entry, else
    LANGUAGE_CODE. The response still gets ``Vary: Accept-Language`` and
    ``Content-Language``.
    """

    def process_request(self, request):
        if is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]:
            return super().process_request(request)
        key = (
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
            request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        )
        language = _chosen_languages.get(key)
        if language is None:
            language = translation.get_language_from_request(request)
            if len(_chosen_languages) < CHOSEN_LANGUAGES_MAX:
                _chosen_languages[key] = language
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]:
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
