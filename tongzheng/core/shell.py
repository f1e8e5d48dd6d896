"""What the once-rendered page shells share (``portal/frame.py``, the workbench header in
``workbench/templatetags/workbench_shell.py``).

A shell is rendered once with stand-in values and reused; that is only right if it read
nothing else. ``RecordingContext`` is the context it is rendered with: it remembers every
name the template looked up and did not find, so a page whose own context has one of
those names takes the normal render instead of the kept shell.
"""


class RecordingContext(dict):
    """A template context layer that remembers the names looked up and not found."""

    def __init__(self, values, missing: set):
        super().__init__(values)
        self.missing = missing

    def __contains__(self, key):
        found = dict.__contains__(self, key)
        if not found:
            self.missing.add(key)
        return found
