from importlib import import_module

from tongzheng.hotline.views import VIEW_MODULES

app_name = "hotline"

# Each views module owns its routes (public pages, the centre's workbench, a department's …).
urlpatterns = [
    pattern
    for name in VIEW_MODULES
    for pattern in import_module(f"tongzheng.hotline.views.{name}").urlpatterns
]
