"""信件公开 (public): published 领导信箱 letters and the public totals; no login, no personal data.

Only the centre's edited texts (``published_title`` / ``published_content`` /
``published_reply``) are ever read into these pages: the querysets below select those
columns and nothing else, so no template can show a name, a phone or the original text.
"""

import re

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from tongzheng.hotline import statistics
from tongzheng.hotline.models import Channel, Ticket
from tongzheng.hotline.pagecache import public_page
from tongzheng.hotline.search import capped_count, query_terms, search_tickets

PER_PAGE = 20
PUBLIC_FIELDS = (
    "number",
    "type",
    "mailbox__title",
    "published_at",
    "published_title",
    "published_content",
    "published_reply",
)


def published_letters():
    """Published mailbox letters, newest first, with the public columns only."""
    return (
        Ticket.objects.filter(channel=Channel.MAILBOX, published_at__isnull=False)
        .select_related("mailbox")
        .only(*PUBLIC_FIELDS)
        .order_by("-published_at", "-pk")
    )


def search_published(queryset, q: str):
    """Full-text search, then every term also in the published text.

    ``search_tokens`` are the tokens of the *original* letter; without the second filter a
    search for a name the centre edited out would reveal which letter mentioned it.
    """
    queryset = search_tickets(queryset, q)
    for term in query_terms(q):
        in_published = Q()
        for alternative in term:
            every_word = Q()
            for word in alternative:
                every_word &= (
                    Q(published_title__icontains=word)
                    | Q(published_content__icontains=word)
                    | Q(published_reply__icontains=word)
                )
            in_published |= every_word
        queryset = queryset.filter(in_published)
    return queryset


class CappedPaginator(Paginator):
    """Counts no further than ``CAP`` letters: with 120,000 published letters the plain
    paginator's COUNT cost 810 ms on every request (docs/benchmarks.md). Past the cap the
    reader narrows the list with the search box."""

    CAP = 1000

    @cached_property
    def count(self):
        return capped_count(self.object_list, self.CAP)[0]


# The pages of the unsearched list that the capped paginator can show (1,000 / 20).
LIST_PAGES = re.compile(r"(page=([1-9]|[1-4][0-9]|50))?")


@login_not_required
@require_GET
# Five minutes; the public totals on it (statistics.public_summary) are refreshed every ten.
@public_page("letters", timeout=300, letters=True, query=LIST_PAGES)
def letter_list(request):
    q = request.GET.get("q", "").strip()[:100]
    page = CappedPaginator(search_published(published_letters(), q), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "q": q, "summary": statistics.public_summary()}
    return TemplateResponse(request, "hotline/publication/list.html", context)


@login_not_required
@require_GET
# A published letter changes only by (un)publication, which moves the letters version:
# the hour only bounds the cache's size (one entry per letter read).
@public_page("letter", timeout=3600, letters=True)
def letter_detail(request, number: str):
    letter = published_letters().filter(number=number).first()
    if letter is None:
        raise Http404
    return TemplateResponse(request, "hotline/publication/detail.html", {"letter": letter})


urlpatterns = [
    path("hotline/letters/", letter_list, name="letters"),
    path("hotline/letters/<str:number>/", letter_detail, name="letter"),
]
NAVIGATION = []
