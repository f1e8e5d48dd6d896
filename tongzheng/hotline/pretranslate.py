"""Templates whose ``{% translate "literal" %}`` tags are translated once per language.

A ``{% translate %}`` tag of a literal costs about 75 Python calls on every render (a
lazy translation object, gettext, the value put in the context's form, the ``%%``
restored), for text that only the language changes. The centre's pages carry 18 to 35
of them. ``render`` swaps each such tag of a page's own template for a node that keeps
the tag's output per language (and autoescape setting) — the tag's own output, so the
page's bytes do not change.

Only plain literal tags are swapped: no ``as`` variable, no ``context``, no filters, not
``noop``. The templates included or extended are left as they are. The swap is made on
the template object Django's cached loader keeps, once (a reloaded template, after an
edit in development, is a new object and is swapped again).
"""

from django.http import HttpResponse
from django.template import Node
from django.template.loader import get_template
from django.templatetags.i18n import TranslateNode
from django.utils.translation import get_language

_SWAPPED = "_tongzheng_pretranslated"


class PretranslatedNode(Node):
    """A literal ``{% translate %}`` tag's output, kept per language and autoescape."""

    child_nodelists = ()

    def __init__(self, node: TranslateNode):
        self.node = node
        self.token = node.token
        self.origin = node.origin
        self._outputs: dict[tuple, str] = {}

    def render(self, context):
        key = (get_language(), context.autoescape)
        output = self._outputs.get(key)
        if output is None:
            output = self._outputs[key] = self.node.render(context)
        return output


def _plain(node) -> bool:
    expression = node.filter_expression
    return (
        type(node) is TranslateNode
        and not node.noop
        and node.asvar is None
        and node.message_context is None
        and not expression.filters
        and getattr(expression.var, "lookups", True) is None  # a literal Variable
    )


def _nodelists(node) -> list:
    # {% if %} keeps its branches as (condition, nodelist) pairs; its ``nodelist`` is a
    # new list of their nodes on each read.
    branches = getattr(node, "conditions_nodelists", None)
    if branches is not None:
        return [nodelist for _condition, nodelist in branches]
    return [getattr(node, name) for name in node.child_nodelists if getattr(node, name, None)]


def swap(nodelist) -> int:
    """Swap the plain literal translate tags of ``nodelist`` and its children; how many."""
    swapped = 0
    for index, node in enumerate(nodelist):
        if isinstance(node, TranslateNode):
            if _plain(node):
                nodelist[index] = PretranslatedNode(node)
                swapped += 1
            continue
        for child in _nodelists(node):
            swapped += swap(child)
    return swapped


def template(name: str):
    """The backend template ``name`` with its literal translate tags swapped (once)."""
    found = get_template(name)
    compiled = found.template
    if not getattr(compiled, _SWAPPED, False):
        swap(compiled.nodelist)
        setattr(compiled, _SWAPPED, True)
    return found


def render(request, name: str, context: dict, status: int = 200) -> HttpResponse:
    """``django.shortcuts.render`` of ``name`` with its literal translate tags swapped."""
    return HttpResponse(template(name).render(context, request), status=status)
