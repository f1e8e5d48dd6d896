"""重复诉求: tickets that may be the same request as a given one (shown at intake, merged by
the centre).

National policy merges duplicate requests in principle. A candidate is a ticket created
within the window (default 30 days), not merged and not refused, and either

- from the same caller (the blind index of ``reporter_phone``), or
- with similar text (Jaccard similarity of the jieba token sets in ``search_tokens`` at
  least ``HOTLINE_DUPLICATE_THRESHOLD``, default 0.3) about the same place: the same
  division, or within ``HOTLINE_DUPLICATE_METRES`` (250 m) when both have coordinates.

Speed: at most two candidate queries, newest first — the caller's blind index (indexed),
and the ticket's division (indexed ``division_path``; at most ``CANDIDATES`` rows) — then
scoring in Python. A ticket with coordinates but no division looks in a bounding box
instead; there is no index on the coordinates, so that query scans the window and is
used only then. Within the division, candidates closer than 250 m score higher.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.hotline.models import Ticket, TicketStatus
from tongzheng.hotline.prepared import CompiledInstances

CANDIDATES = 300
CALLER_CANDIDATES = 50
DEFAULT_THRESHOLD = 0.3
DEFAULT_METRES = 250
EARTH_RADIUS_METRES = 6_371_000
# Statuses a duplicate cannot be: merged tickets point at the one being handled; refused
# ones were never accepted.
EXCLUDED_STATUSES = (TicketStatus.MERGED, TicketStatus.NOT_ACCEPTED)
_FIELDS = (
    "id",
    "number",
    "title",
    "content",
    "type",
    "status",
    "channel",
    "created_at",
    "division_path",
    "latitude",
    "longitude",
    "reporter_phone_index",
    "search_tokens",
    "organisation_id",
    "subject_id",
)


@dataclass(frozen=True)
class Duplicate:
    """A possible duplicate: the ticket, why (Chinese, for display) and a score for sorting."""

    ticket: Ticket
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


def _threshold() -> float:
    return float(getattr(settings, "HOTLINE_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD))


def _metres() -> float:
    return float(getattr(settings, "HOTLINE_DUPLICATE_METRES", DEFAULT_METRES))


def jaccard(first: set[str], second: set[str]) -> float:
    """|A ∩ B| / |A ∪ B| of two token sets (0 when both are empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def distance_metres(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine); ample for a few hundred metres."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(a))


def _has_point(ticket) -> bool:
    return ticket.latitude is not None and ticket.longitude is not None


def _bounding_box(ticket, metres: float) -> Q:
    lat = float(ticket.latitude)
    dlat = math.degrees(metres / EARTH_RADIUS_METRES)
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    lon = float(ticket.longitude)
    return Q(
        latitude__gte=lat - dlat,
        latitude__lte=lat + dlat,
        longitude__gte=lon - dlon,
        longitude__lte=lon + dlon,
    )


# The candidates are scored from plain rows (``_FIELDS`` as tuples): with 300 of them at
# city scale, making a model instance of each was most of the finder's cost, and only the
# best ``limit`` become tickets.
_ATTNAMES = tuple(f.attname for f in Ticket._meta.concrete_fields if f.attname in set(_FIELDS))
_AT = {name: index for index, name in enumerate(_ATTNAMES)}
_PK, _CREATED, _DIVISION = _AT["id"], _AT["created_at"], _AT["division_path"]
_LATITUDE, _LONGITUDE = _AT["latitude"], _AT["longitude"]
_PHONE, _TOKENS = _AT["reporter_phone_index"], _AT["search_tokens"]


# The caller's and the division's candidate queries, compiled once per connection (their
# compiling was half of the finder's Python work); stand-ins for the values while compiling:
_QUERIES = CompiledInstances()
_SINCE = datetime(1901, 1, 1, 0, 0, 3, 303, tzinfo=UTC)
_EXCLUDED = -7_340_032_201
_PHONE_INDEX = "\x00tz-phone-index"
_DIVISION_PATH = "\x00tz-division-path"


def _base(since, excluded):
    return (
        Ticket.objects.filter(created_at__gte=since)
        .exclude(pk=excluded)
        .exclude(status__in=EXCLUDED_STATUSES)
        .order_by("-created_at", "-id")
        .values_list(*_ATTNAMES)
    )


def _candidates(ticket: Ticket, since, metres: float) -> dict[int, tuple]:
    """pk -> the row (``_ATTNAMES``) of each candidate, the caller's first."""
    found: dict[int, tuple] = {}
    # A ticket not saved yet excludes no row (no id is 0; "id = NULL" would exclude all).
    excluded = ticket.pk if ticket.pk is not None else 0
    if ticket.reporter_phone_index:
        rows = _QUERIES(
            "caller",
            lambda s, e, p: _base(s, e).filter(reporter_phone_index=p)[:CALLER_CANDIDATES],
            (_SINCE, _EXCLUDED, _PHONE_INDEX),
            (since, excluded, ticket.reporter_phone_index),
        )
        for row in rows:
            found[row[_PK]] = row
    # The division path is indexed; latitude and longitude are not, so the bounding box is
    # used only for a ticket without a division (an OR of both would scan the window).
    if ticket.division_path:
        rows = _QUERIES(
            "division",
            lambda s, e, d: _base(s, e).filter(division_path=d)[:CANDIDATES],
            (_SINCE, _EXCLUDED, _DIVISION_PATH),
            (since, excluded, ticket.division_path),
        )
    elif _has_point(ticket):
        rows = _base(since, excluded).filter(_bounding_box(ticket, metres))[:CANDIDATES]
    else:
        rows = ()
    for row in rows:
        found.setdefault(row[_PK], row)
    return found


def possible_duplicates(
    ticket: Ticket, *, window_days: int = 30, limit: int = 5
) -> list[Duplicate]:
    """Tickets that may repeat ``ticket``, best first (at most ``limit``); each ticket has
    the fields of ``_FIELDS`` loaded (the others deferred)."""
    reference = ticket.created_at or timezone.now()
    since = reference - timedelta(days=window_days)
    metres = _metres()
    threshold = _threshold()
    tokens = set(ticket.search_tokens.split())
    phone = ticket.reporter_phone_index
    division = ticket.division_path
    point = _has_point(ticket)
    scored = []
    for row in _candidates(ticket, since, metres).values():
        reasons = []
        score = 0.0
        if phone and row[_PHONE] == phone:
            reasons.append(_("同一来电号码"))
            score += 1.0
        similarity = jaccard(tokens, set(row[_TOKENS].split()))
        near = None
        if point and row[_LATITUDE] is not None and row[_LONGITUDE] is not None:
            near = distance_metres(
                ticket.latitude, ticket.longitude, row[_LATITUDE], row[_LONGITUDE]
            )
        same_division = bool(division) and row[_DIVISION] == division
        same_place = same_division or (near is not None and near <= metres)
        if similarity >= threshold and same_place:
            reasons.append(_("内容相似（%(percent)d%%）") % {"percent": round(similarity * 100)})
            score += similarity
            if near is not None and near <= metres:
                reasons.append(_("地点相距约 %(metres)d 米") % {"metres": round(near)})
                score += 0.2
            elif same_division:
                reasons.append(_("同一行政区划"))
        if reasons:
            scored.append((round(score, 4), row, reasons))
    scored.sort(key=lambda found: (-found[0], -found[1][_CREATED].timestamp(), -found[1][_PK]))
    db = Ticket.objects.db
    return [
        Duplicate(ticket=Ticket.from_db(db, _ATTNAMES, row), reasons=reasons, score=score)
        for score, row, reasons in scored[:limit]
    ]
