import pytest

pytest_plugins = ["tongzheng.testing.browser"]


@pytest.fixture(autouse=True)
def _chinese_by_default(settings):
    settings.LANGUAGE_CODE = "zh-hans"
