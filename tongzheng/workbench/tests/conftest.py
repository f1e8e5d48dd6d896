import pytest

from tongzheng.core.registry import platform


@pytest.fixture
def registry_navigation():
    """platform.navigation, restored after the test so added entries do not leak."""
    saved = list(platform.navigation)
    yield platform.navigation
    platform.navigation[:] = saved


@pytest.fixture
def registry_timed_models():
    saved = list(platform.timed_task_models)
    platform.timed_task_models.clear()
    yield platform.timed_task_models
    platform.timed_task_models[:] = saved
