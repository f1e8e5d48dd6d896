"""Hotline pages, one module per audience; each module declares its own ``urlpatterns``
and ``NAVIGATION`` (workbench entries), collected by ``hotline/urls.py`` and ``apps.py``.
"""

# URLs resolve in this order: the citizens' pages (track, the published letters) first,
# the busiest requests of the hotline (each pattern tried before the right one costs a
# match). No route of one module matches another's (navigation has its own order).
VIEW_MODULES = (
    "public",
    "publication",
    "intake",
    "centre",
    "handling",
    "administration",
    "statistics",
    "open311",
    "files",
)
