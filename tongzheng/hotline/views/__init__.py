"""Hotline pages, one module per audience; each module declares its own ``urlpatterns``
and ``NAVIGATION`` (workbench entries), collected by ``hotline/urls.py`` and ``apps.py``.
"""

VIEW_MODULES = (
    "public",
    "intake",
    "centre",
    "handling",
    "administration",
    "statistics",
    "publication",
    "open311",
    "files",
)
