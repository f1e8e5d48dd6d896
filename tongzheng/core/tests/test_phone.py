"""One telephone rule for every form (hotline intake, services applications, Open311)."""

import pytest
from django.core.exceptions import ValidationError

from tongzheng.core.validators import clean_phone, normalise_phone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13912345678", "13912345678"),
        (" 139 1234 5678 ", "13912345678"),
        ("010-1234 5678", "01012345678"),
        ("028-8765432", "0288765432"),
        ("", ""),
    ],
)
def test_good_numbers_are_normalised(value, expected):
    assert clean_phone(value) == expected


@pytest.mark.parametrize("value", ["12345", "12912345678", "1391234567", "8765432", "电话"])
def test_bad_numbers_are_refused_with_a_message(value):
    with pytest.raises(ValidationError, match="请填写正确的手机号码或固定电话"):
        clean_phone(value)


def test_one_number_written_two_ways_is_one_number():
    assert normalise_phone("010-1234 5678") == normalise_phone("01012345678")
