from django.apps import AppConfig


class TimedTestConfig(AppConfig):
    """A test-only app (installed when TONGZHENG_MODE=test) with one concrete timed task."""

    name = "tongzheng.core.tests.timedtest"
    label = "timedtest"
    verbose_name = "测试模块"

    def ready(self):
        from tongzheng.core.registry import platform
        from tongzheng.core.tests.timedtest.models import Errand

        platform.add_timed_task_model(Errand)
