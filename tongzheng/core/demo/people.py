"""Synthetic personnel rows: Chinese names, valid resident ID numbers, sealed and indexed.

Pure Python (no Django, no database) so that it can run in worker processes. The ID
numbers follow GB 11643: a real GB/T 2260 birth-place code, the birth date, a 3-digit
sequence whose parity is the gender (odd: male) and the MOD 11-2 check character. They
are sealed with SM4-GCM in exactly the format of ``tongzheng.core.crypto.seal`` and
indexed with HMAC-SM3 like ``tongzheng.core.crypto.blind_index``; the generator reuses
one key schedule for all rows instead of rebuilding it per value.
"""

import base64
import bisect
import datetime
import hmac
import itertools
import operator
import os
import random
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# The hundred most common surnames, weighted roughly by frequency (Sichuan leans 李/王/张/刘/陈).
SURNAMES = (
    "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = [max(1.0, 80.0 / (1 + i * 0.35)) for i in range(len(SURNAMES))]
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋阳峰建国志文博东亮晨"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀燕玲桂丹萍红梅琳雪婷倩颖琴云莉慧佳蓉欣怡洁璐露瑶晶月雯蕾"
NEUTRAL_CHARS = "小子思雨春海金玉德永嘉天家安清一新成世光荣立正少晓"

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_SURNAME_CUMULATIVE = tuple(itertools.accumulate(SURNAME_WEIGHTS))
_SURNAME_TOTAL = _SURNAME_CUMULATIVE[-1]

# Row layout returned by make_people (the order COPY / bulk_create uses).
PERSON_COLUMNS = (
    "organisation_id",
    "division_path",
    "name",
    "gender",
    "birth_date",
    "id_number_sealed",
    "id_number_index",
    "establishment_type_id",
    "post",
    "status",
    "entered_at",
)


def id_check_char(body17: str) -> str:
    return ID_CHECK[sum(map(operator.mul, map(int, body17), ID_WEIGHTS)) % 11]


class Sealer:
    """seal() and blind_index() with the key schedule built once."""

    def __init__(self, data_key_hex: str, index_key_hex: str):
        self._algorithm = algorithms.SM4(bytes.fromhex(data_key_hex))
        self._index = hmac.new(bytes.fromhex(index_key_hex), digestmod="sm3")

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        encryptor = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        ciphertext = encryptor.update(plaintext.encode()) + encryptor.finalize()
        return base64.b64encode(nonce + ciphertext + encryptor.tag).decode()

    def blind_index(self, value: str) -> str:
        mac = self._index.copy()
        mac.update(value.strip().upper().encode())
        return mac.hexdigest()


@dataclass(frozen=True)
class UnitPlan:
    """Who works in one unit: slots to fill per establishment type and the extra rows."""

    organisation_id: int
    division_path: str
    home_area: str  # the county code most staff were born in
    occupied: tuple[tuple[int, int], ...]  # (establishment_type_id, serving people holding it)
    outside: int  # 编外 serving people
    retired: int
    history: int
    deputies: int
    departments: int  # internal departments: one head each
    female_share: float


@dataclass(frozen=True)
class AreaPool:
    home: tuple[str, ...]  # current county-level codes of the province
    elsewhere: tuple[str, ...]  # other provinces' county-level codes
    historical: tuple[str, ...]  # abolished county-level codes (an ID keeps its code for life)


_MALE_FIRST = MALE_CHARS + NEUTRAL_CHARS
_FEMALE_FIRST = FEMALE_CHARS + NEUTRAL_CHARS


def random_name(rng: random.Random, male: bool) -> str:
    random_ = rng.random
    surname = SURNAMES[bisect.bisect(_SURNAME_CUMULATIVE, random_() * _SURNAME_TOTAL)]
    pool, first_pool = (MALE_CHARS, _MALE_FIRST) if male else (FEMALE_CHARS, _FEMALE_FIRST)
    last = pool[int(random_() * len(pool))]
    if random_() < 0.25:
        return surname + last
    return surname + first_pool[int(random_() * len(first_pool))] + last


def random_id(rng: random.Random, area: str, birth: datetime.date, male: bool) -> str:
    sequence = int(rng.random() * 500) * 2 + (1 if male else 0)
    body = f"{area}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return body + id_check_char(body)


def pick_area(rng: random.Random, home: str, areas: AreaPool) -> str:
    roll = rng.random()
    if roll < 0.80:
        return home
    if roll < 0.92:
        return rng.choice(areas.home)
    if roll < 0.97 or not areas.historical:
        return rng.choice(areas.elsewhere)
    return rng.choice(areas.historical)


def birth_for_age(rng: random.Random, today: datetime.date, low: int, high: int) -> datetime.date:
    age_days = low * 365 + 1 + int(rng.random() * (high - low) * 365 - 2)
    return datetime.date.fromordinal(today.toordinal() - age_days)


def entered_after(rng: random.Random, birth: datetime.date, today: datetime.date) -> datetime.date:
    start = birth.toordinal() + 21 * 365 + int(rng.random() * 7 * 365)
    latest = today.toordinal() - 30 - int(rng.random() * 370)
    return datetime.date.fromordinal(min(start, latest))


def make_people(
    seed: int,
    plans: list[UnitPlan],
    areas: AreaPool,
    keys: tuple[str, str],
    today: datetime.date,
    copy_stamp: str | None = None,
) -> tuple[list, list[str]]:
    """Rows for every planned person, and their plain ID numbers in the same order.

    Rows are tuples ordered like PERSON_COLUMNS, or, when ``copy_stamp`` (the ISO time
    for created_at / updated_at) is given, lines of PostgreSQL COPY text. The plain IDs
    let the caller enforce uniqueness across batches; they are never written.
    """
    rng = random.Random(seed)
    sealer = Sealer(*keys)
    rows: list = []
    ids: list[str] = []
    for plan in plans:
        # Serving people holding slots first, then 编外, then retired and history rows.
        people: list[tuple[int | None, str]] = [
            (type_id, "serving") for type_id, count in plan.occupied for _ in range(count)
        ]
        people += [(None, "serving")] * plan.outside
        people += [(None, "retired")] * plan.retired
        people += [(None, "history")] * plan.history
        leaders = 1 + plan.deputies
        for position, (type_id, status) in enumerate(people):
            male = rng.random() >= plan.female_share
            if status == "serving":
                if position == 0:
                    post, birth = "unit_head", birth_for_age(rng, today, 45, 58)
                elif position < leaders:
                    post, birth = "unit_deputy", birth_for_age(rng, today, 38, 57)
                elif position < leaders + plan.departments and type_id is not None:
                    post, birth = "department_head", birth_for_age(rng, today, 32, 58)
                else:
                    post, birth = "none", birth_for_age(rng, today, 23, 59)
            elif status == "retired":
                post, birth = "none", birth_for_age(rng, today, 61, 85)
            else:
                post, birth = "none", birth_for_age(rng, today, 25, 70)
            id_number = random_id(rng, pick_area(rng, plan.home_area, areas), birth, male)
            entered = entered_after(rng, birth, today) if type_id is not None else None
            row = (
                plan.organisation_id,
                plan.division_path,
                random_name(rng, male),
                "1" if male else "2",
                birth,
                sealer.seal(id_number),
                sealer.blind_index(id_number),
                type_id,
                post,
                status,
                entered,
            )
            rows.append(row if copy_stamp is None else copy_line(row, copy_stamp))
            ids.append(id_number)
    return rows, ids


NULL = "\\N"


def copy_line(row: tuple, stamp: str) -> str:
    """One row as PostgreSQL COPY text; no value here holds a tab, newline or backslash."""
    type_id, entered = row[7], row[10]
    return (
        f"{row[0]}\t{row[1]}\t{row[2]}\t{row[3]}\t{row[4].isoformat()}\t{row[5]}\t{row[6]}\t"
        f"{NULL if type_id is None else type_id}\t{row[8]}\t{row[9]}\t"
        f"{NULL if entered is None else entered.isoformat()}\t{stamp}\t{stamp}\n"
    )


def reissue(row, old: str, rng: random.Random, sealer: Sealer) -> tuple:
    """The same person with a fresh sequence number (after an ID collision): (row, new ID)."""
    male = int(old[16]) % 2 == 1
    sequence = int(rng.random() * 500) * 2 + (1 if male else 0)
    body = f"{old[:14]}{sequence:03d}"
    id_number = body + id_check_char(body)
    sealed, index = sealer.seal(id_number), sealer.blind_index(id_number)
    if isinstance(row, str):
        parts = row.split("\t")
        parts[5], parts[6] = sealed, index
        return "\t".join(parts), id_number
    return (*row[:5], sealed, index, *row[7:]), id_number


def _make_people_star(args):
    return make_people(*args)
