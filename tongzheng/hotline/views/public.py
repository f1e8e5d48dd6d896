"""Public hotline pages (no login): intake, leader's mailboxes, tracking and 追加; and a
signed-in citizen's own tickets (我的诉求).

The receipt (number and 提取码) is shown once, in the response to the intake POST, never
in a URL, with ``Cache-Control: no-store``. Intake and lookups are rate-limited
(``hotline.ratelimit``): 429 with a Chinese message.
"""

import re

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongzheng.hotline import queries, ratelimit, receipt_page, track_page
from tongzheng.hotline.actions import intake as actions
from tongzheng.hotline.forms import (
    NOT_ACCEPTED_12310,
    AppendForm,
    IntakeForm,
    LetterForm,
    TrackForm,
    add_errors,
)
from tongzheng.hotline.models import Category12310, Channel, MailBox, Ticket
from tongzheng.hotline.pagecache import public_page
from tongzheng.hotline.queries_public import public_ticket_by_id
from tongzheng.portal import frame

PAGE_SIZE = 20
PUBLIC_ACCOUNT_KINDS = ("citizen", "enterprise")
# The intake form lists the active 诉求分类: an administrator's change shows within a minute.
FORM_SECONDS = 60
# The 12310 categories listed on the form (lazy labels: translated when shown). Built once:
# the enum's ``choices`` makes a new list on every read, on every intake POST too.
CATEGORIES_12310 = tuple(Category12310.choices)


def _initial(request) -> dict:
    """A signed-in citizen or enterprise files under its own name by default."""
    user = request.user
    if user.is_authenticated and user.kind in PUBLIC_ACCOUNT_KINDS and user.full_name:
        return {"reporter_name": user.full_name}
    return {}


def _receipt(request, ticket, code, *, files: int):
    # ``files``: how many the reporter sent (and the action stored); no COUNT query.
    context = {"ticket": ticket, "code": code, "attachment_count": files}
    html = frame.render_page(
        request,
        "hotline/receipt.html",
        context,
        # The portal shell around blocks written in Python (receipt_page); a signed-in
        # citizen's receipt (no frame) is the template's.
        blocks=lambda _csrf_token: {
            "title": receipt_page.title(),
            "content": receipt_page.content(ticket, code=code, attachment_count=files),
        },
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response


def _too_many(request, template, context, message):
    context = {**context, "rate_limited": message}
    return render(request, template, context, status=429)


def _file(request, form, template, context, *, channel=None, mailbox=None):
    """Validate, rate-limit and create; the receipt or the form again (400 / 429)."""
    context = {**context, "form": form}
    if not form.is_valid():
        return render(request, template, context, status=400)
    if not ratelimit.intake_allowed(request, named_phone=form.named_phone()):
        message = (
            ratelimit.ACCOUNT_MESSAGE if request.user.is_authenticated else ratelimit.INTAKE_MESSAGE
        )
        return _too_many(request, template, context, message)
    data = dict(form.cleaned_data)
    if channel:
        data["channel"] = channel
    if mailbox:
        data["mailbox"] = mailbox
    actor = request.user if request.user.is_authenticated else None
    try:
        ticket, code = actions.create_ticket(actor=actor, data=data, request=request)
    except ValidationError as exc:
        add_errors(form, exc)
        return render(request, template, context, status=400)
    return _receipt(request, ticket, code, files=len(data.get("attachments") or ()))


@login_not_required
@require_http_methods(["GET", "POST"])
@public_page("new", timeout=FORM_SECONDS, query=re.compile(r"(line=12310)?"))
def new_ticket(request):
    """公众提交工单 (12345 网上 / 12310 举报); the anonymous form from the page cache."""
    context = {"not_accepted": NOT_ACCEPTED_12310, "categories": CATEGORIES_12310}
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        return _file(request, form, "hotline/new.html", context)
    initial = _initial(request)
    if request.GET.get("line") == "12310":
        initial["channel"] = Channel.R12310
    form = IntakeForm(initial=initial)
    return TemplateResponse(request, "hotline/new.html", {**context, "form": form})


@login_not_required
@require_GET
def mailbox_list(request):
    """领导信箱: the active boxes."""
    boxes = MailBox.objects.filter(active=True).select_related("organisation")
    return render(request, "hotline/intake/mailbox_list.html", {"boxes": boxes})


@login_not_required
@require_http_methods(["GET", "POST"])
def mailbox_letter(request, slug):
    """给领导写信: a letter to one box (channel 领导信箱)."""
    mailbox = get_object_or_404(MailBox, slug=slug, active=True)
    context = {"mailbox": mailbox}
    if request.method == "POST":
        form = LetterForm(request.POST, request.FILES)
        return _file(
            request,
            form,
            "hotline/intake/letter.html",
            context,
            channel=Channel.MAILBOX,
            mailbox=mailbox,
        )
    return render(
        request,
        "hotline/intake/letter.html",
        {**context, "form": LetterForm(initial=_initial(request))},
    )


@require_GET
def mine(request):
    """我的诉求: the tickets a signed-in citizen or enterprise filed from this account."""
    if request.user.kind not in PUBLIC_ACCOUNT_KINDS:
        raise PermissionDenied(_("只有个人用户和法人用户可以查看“我的诉求”。"))
    tickets = (
        Ticket.objects.filter(account=request.user)
        .select_related("mailbox")
        .only("number", "title", "content", "type", "status", "channel", "created_at", "mailbox")
        .order_by("-created_at", "-id")
    )
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hotline/intake/mine.html", {"page": page})


@require_GET
def mine_ticket(request, number):
    """我的诉求 › one ticket: its replies for the signed-in account that filed it, without
    the 提取码 (which a citizen may have lost). Adding information still takes the code."""
    if request.user.kind not in PUBLIC_ACCOUNT_KINDS:
        raise PermissionDenied(_("只有个人用户和法人用户可以查看“我的诉求”。"))
    ticket = get_object_or_404(Ticket, number=number, account=request.user)
    updates, attachments = queries.public_history(ticket)
    context = {"ticket": ticket, "updates": updates, "attachments": attachments, "mine": True}
    return render(request, "hotline/tracked.html", {**context, "append_form": None})


# The empty 追加 form's fields, rendered once per language with placeholders for the
# ticket's number and code: Django's widget templates cost more than the rest of the page,
# and this page is the one citizens open most (查询工单).
_NUMBER, _CODE = "tzAppendNumberPlaceholder", "tzAppendCodePlaceholder"
_append_fields: dict[str, str] = {}


def _empty_append_fields(number: str, code: str) -> str:
    language = get_language()
    fields = _append_fields.get(language)
    if fields is None:
        form = AppendForm(initial={"number": _NUMBER, "code": _CODE})
        fields = render_to_string("hotline/_fields.html", {"form": form})
        _append_fields[language] = fields
    return mark_safe(fields.replace(_NUMBER, escape(number)).replace(_CODE, escape(code)))  # noqa: S308 - both escaped, the rest rendered by Django


def _tracked(request, ticket, code, *, append_form=None, status=200, appended=False):
    """The track result; ``ticket``: the reporter's view of it (``queries_public``)."""
    context = {
        "ticket": ticket,
        "updates": ticket.updates,
        "attachments": ticket.files,
        "appended": appended,
        "code": code,  # the files' download forms post it again, as the 追加 form does
    }
    if append_form is not None:
        context["append_form"] = append_form
        html = frame.render_page(request, "hotline/tracked.html", context)
        return HttpResponse(html, status=status)

    def body(csrf_token: str) -> str:
        return track_page.content(
            ticket,
            code=code,
            csrf_token=csrf_token,
            append_fields=_empty_append_fields(ticket.number, code),
            appended=appended,
        )

    # The portal shell spliced around the page's blocks, both written in Python with the
    # shell's own CSRF token (portal.frame: same bytes as render(), one token a page).
    # Where the frame renders the template instead (a signed-in visitor, messages), the
    # template shows ``body``, written only then.
    context["body"] = _WrittenOnUse(lambda: body(get_token(request)))
    html = frame.render_page(
        request,
        "hotline/tracked.html",
        context,
        blocks=lambda csrf_token: {"title": track_page.title(), "content": body(csrf_token)},
    )
    return HttpResponse(html, status=status)


class _WrittenOnUse:
    """HTML written by ``write()`` when a template first shows it (``{{ body }}``)."""

    def __init__(self, write):
        self._write = write

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        # A template renders str(value): safe, so not escaped again.
        return mark_safe(self._write())  # noqa: S308 - every value escaped by track_page

    __html__ = __str__


def track_not_found(request, form):
    return render(
        request,
        "hotline/track.html",
        {"form": form, "error": actions.NOT_FOUND_MESSAGE},
        status=404,
    )


def track_blocked(request, form):
    return _too_many(request, "hotline/track.html", {"form": form}, ratelimit.LOOKUP_MESSAGE)


def track_lookup(request, number: str, code: str, *, find=actions.find_ticket):
    """(ticket or None, blocked?) — counting a failure against address and number.

    ``find(number, code)``: the model instance by default; the track page reads only
    what the reporter sees (``actions.find_public_ticket``)."""
    if ratelimit.lookup_blocked(request, number):
        return None, True
    ticket = find(number, code)
    if ticket is None:
        ratelimit.lookup_failed(request, number)
    return ticket, False


@login_not_required
@require_http_methods(["GET", "POST"])
@public_page("track", timeout=3600)
def track(request):
    """公众查询工单: POST number + 提取码 (never in the URL)."""
    if request.method != "POST":
        return TemplateResponse(request, "hotline/track.html", {"form": TrackForm()})
    pair = _plain_pair(request.POST)
    if pair is None:
        form = TrackForm(request.POST)
        if not form.is_valid():
            return render(request, "hotline/track.html", {"form": form}, status=400)
        pair = form.cleaned_data["number"], form.cleaned_data["code"]
    number, code = pair
    ticket, blocked = track_lookup(request, number, code, find=actions.find_public_ticket)
    if blocked:
        return track_blocked(request, TrackForm())
    if ticket is None:
        return track_not_found(request, TrackForm(request.POST))
    return _tracked(request, ticket, code)


def _plain_pair(data) -> tuple[str, str] | None:
    """Number and 提取码 when ``TrackForm`` would take them as they are (both given, at
    most 32 characters, no NUL); None leaves the judgement and its errors to the form —
    building one costs more than the rest of a lookup's Python."""
    number, code = data.get("number", "").strip(), data.get("code", "").strip()
    if 0 < len(number) <= 32 and 0 < len(code) <= 32 and "\x00" not in number + code:
        return number, code
    return None


@login_not_required
@require_POST
def append(request):
    """追加信息: number + 提取码 again, the new information and up to three files."""
    form = AppendForm(request.POST, request.FILES)
    number, code = request.POST.get("number", "").strip(), request.POST.get("code", "")
    if not (number and code):
        return render(request, "hotline/track.html", {"form": TrackForm()}, status=400)
    ticket, blocked = track_lookup(request, number, code)
    if blocked:
        return track_blocked(request, TrackForm())
    if ticket is None:
        return track_not_found(request, TrackForm(request.POST))
    if not form.is_valid():
        return _tracked(request, public_ticket_by_id(ticket.pk), code, append_form=form, status=400)
    try:
        actions.append_information(
            ticket=ticket,
            content=form.cleaned_data["content"],
            attachments=form.cleaned_data["attachments"],
            request=request,
        )
    except ValidationError as exc:
        add_errors(form, exc)
        return _tracked(request, public_ticket_by_id(ticket.pk), code, append_form=form, status=400)
    return _tracked(request, public_ticket_by_id(ticket.pk), code, appended=True)


NAVIGATION = []  # public pages appear on the portal (apps.py tiles), not in the workbench

urlpatterns = [
    path("hotline/new/", new_ticket, name="new"),
    path("hotline/mailbox/", mailbox_list, name="mailbox_list"),
    path("hotline/mailbox/<slug:slug>/", mailbox_letter, name="mailbox_letter"),
    path("hotline/mine/", mine, name="mine"),
    path("hotline/mine/<str:number>/", mine_ticket, name="mine_ticket"),
    path("hotline/track/", track, name="track"),
    path("hotline/track/append/", append, name="append"),
]
