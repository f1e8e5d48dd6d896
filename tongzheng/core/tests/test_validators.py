import pytest
from stdnum.cn import ric

from tongzheng.core.validators import resident_id_problem, uscc_problem


def make_id(area: str, birth: str = "19900101", sequence: str = "001") -> str:
    body = area + birth + sequence
    return body + ric.calc_check_digit(body + "0")  # stdnum drops the last character


@pytest.mark.parametrize(
    "area",
    # Chengdu's central districts, 重庆万州, 阿图什: real places python-stdnum 2.2 rejects.
    [
        "510104",
        "510105",
        "510106",
        "510107",
        "510108",
        "500101",
        "653001",
        # abolished codes stay valid for life: 北京崇文区 (till 2009), 宣武区.
        "110103",
        "110104",
    ],
)
def test_real_and_historical_areas_are_valid(area):
    assert resident_id_problem(make_id(area)) is None


def test_wrong_check_digit_is_reported():
    number = make_id("110105")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert "校验码" in resident_id_problem(wrong)


def test_impossible_birth_date_is_reported():
    body = "110105" + "19900230" + "001"
    assert "出生日期" in resident_id_problem(body + ric.calc_check_digit(body + "0"))


def test_unknown_area_is_reported():
    assert "地址码" in resident_id_problem(make_id("999999"))


@pytest.mark.parametrize("value", ["", "123", "11010519900101001", "1101051990010100111"])
def test_wrong_length_is_reported(value):
    assert resident_id_problem(value) is not None


def test_uscc():
    assert uscc_problem("91110000600037341L") is None
    assert "校验码" in uscc_problem("91110000600037341X")
    assert uscc_problem("9111000060003734") is not None


def test_the_standard_example_is_valid_and_its_neighbours_are_not():
    # GB 11643-1999's own example number.
    assert resident_id_problem("11010519491231002X") is None
    assert "校验码" in resident_id_problem("110105194912310022")
