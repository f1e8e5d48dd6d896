"""门户外框 spliced: a public page's shell rendered once per process, its content per request.

A public page such as the status lookup (办件查询) extends ``portal_base.html``: the
shell (``base.html``, the header, the language switcher, the footer) is most of the
template work and, for an anonymous visitor without pending messages, the same for every
request apart from the CSRF token and the path the language switcher returns to.
``render_page`` renders that shell once per page template and language with placeholders
in place of the page's own blocks, the token and the path, and afterwards renders only
the page's own blocks (``title``, ``content`` …) and puts them, the visitor's token and
their path in. The output is byte for byte what ``render_to_string`` gives (the tests
compare both); the token is the visitor's own, so CSRF protection is unchanged.

Why keeping rendered HTML in process memory is safe here: the frame depends only on

- the templates: compiled once per process by Django's cached loader anyway, so a
  template edit needs a restart (a deploy) either way; under ``DEBUG`` (template
  reloading) nothing is kept and every page is rendered as usual;
- the language and the URLconf (``{% url %}``) and script prefix: part of the key;
- settings read while rendering (``{% static %}``'s ``STATIC_URL`` …): fixed for a
  process; ``override_settings`` in tests empties the store (``setting_changed``);
- an anonymous user and no messages: the only case served from the frame. A signed-in
  user (their name in the header) or pending messages take the normal path.

What the shell reads is checked, not assumed: it is rendered with only ``request``,
``user``, ``messages`` and ``csrf_token``. The request is a stand-in that answers
``get_full_path`` (with a placeholder) and nothing else; a shell reading any other
request attribute, a variable it set that is not plain text, or a placeholder passed
through a filter is not kept (every request takes the normal path, and the tests fail).
A variable the shell looked up and did not find sends the request down the normal path
when the page's context has it (the shell would have shown it). Variables the shell sets
around a block (``{% get_current_language as LANGUAGE_CODE %}``) are given to the block
as a normal render would.

Contract for a view: ``render_page(request, name, context)`` renders ``name`` with
``context`` plus ``request``, ``user``, ``messages`` and ``csrf_token`` and *without*
the context processors, like ``render_to_string(name, {...})``. The page's own blocks
(those of ``name`` itself, not of the templates it extends) are rendered per request.
A page that writes its blocks in Python passes ``blocks``: called with the visitor's CSRF
token when the frame serves the request, it returns block name -> finished HTML, put in
as given in place of rendering those blocks (the template stays the reference: the
normal path renders it, and the page's tests compare both).
"""

import logging
import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.middleware.csrf import get_token
from django.template import Context, Node, NodeList
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.translation import get_language

from tongzheng.core.shell import RecordingContext

logger = logging.getLogger(__name__)

# Letters only, so autoescaping leaves them alone; the path's placeholder ends in
# characters that escaping changes, which shows it went through autoescaping alone.
_MARK = "tzFrameQ7vXk2mR"
CSRF_PLACEHOLDER = f"{_MARK}Csrf"
PATH_PLACEHOLDER = f"{_MARK}Path<&>"
_PATH_ESCAPED = escape(PATH_PLACEHOLDER)
_SHELL_KEYS = frozenset({"request", "user", "messages", "csrf_token", "block"})
_PLAIN = (str, int, float, bool, type(None))

_frames: dict[tuple, "Frame | None"] = {}


def _forget(**_kwargs) -> None:
    _frames.clear()
    _paths.clear()


setting_changed.connect(_forget, dispatch_uid="portal.frame")


def shell_context(request, csrf_token: str | None = None) -> dict:
    """What the portal shell reads, for a normal render."""
    return {
        "request": request,
        "user": request.user,
        "messages": get_messages(request),
        "csrf_token": csrf_token or get_token(request),
    }


def page_key() -> tuple:
    """What a frame depends on besides its template: the active language, the URLconf and
    the script prefix. A page that keeps texts of its own per the same (its headings, its
    URLs) reads it once and passes it to ``render_page`` (each part is a context-local
    read, ~1 µs)."""
    return (get_language(), settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())


def render_page(
    request, template_name: str, context: dict, blocks=None, key=None, charset=None
) -> str | bytes:
    """``template_name`` rendered with ``context`` and ``shell_context(request)``;
    ``blocks(csrf_token) -> {block name: HTML}``: blocks already written (see above);
    ``key``: ``page_key()`` when the caller has read it already; ``charset``: the page
    as bytes in that encoding (the response's), the frame's text encoded once instead of
    on every response."""
    if settings.DEBUG or request.user.is_authenticated or len(get_messages(request)):
        html = _render(request, template_name, context)
        return html if charset is None else html.encode(charset)
    key = (template_name, *(key or page_key()))
    try:
        frame = _frames[key]
    except KeyError:
        frame = _frames[key] = Frame.build(template_name)
    if frame is None or not frame.missing.isdisjoint(context):
        html = _render(request, template_name, context)
        return html if charset is None else html.encode(charset)
    return frame.render(request, context, blocks, charset)


#: path -> the path escaped, for the few paths served from frames without a query string
#: (bounded, since a route's parameters are the visitor's: past it, worked out each time).
_paths: dict[str, str] = {}
_PATHS_MAX = 1000


def _escaped_full_path(request) -> str:
    """``escape(request.get_full_path())`` (quoting the path costs ~3 µs)."""
    if request.META.get("QUERY_STRING"):
        return escape(request.get_full_path())
    found = _paths.get(request.path)
    if found is None:
        found = escape(request.get_full_path())
        if len(_paths) < _PATHS_MAX:
            _paths[request.path] = found
    return found


def _render(request, template_name: str, context: dict) -> str:
    return render_to_string(template_name, {**context, **shell_context(request)})


class _StandInRequest:
    """The request as the shell sees it: its full path is a placeholder; reading anything
    else makes the frame unusable (it would have been baked into every page)."""

    def __init__(self, frame):
        self._frame = frame

    def get_full_path(self):
        return PATH_PLACEHOLDER

    def __getattr__(self, name):
        self._frame.unsafe.append(f"request.{name}")
        raise AttributeError(name)


class _Slot(Node):
    """Stands for one of the page's blocks in the shell: its placeholder, and what a
    per-request render of the block needs (the blocks it may reach through
    ``block.super``, the variables the shell set around it)."""

    def __init__(self, frame, name: str, placeholder: str):
        self.frame, self.name, self.placeholder = frame, name, placeholder

    def render(self, context):
        blocks = context.render_context.get(BLOCK_CONTEXT_KEY).blocks
        chain = {n: [b for b in bs if not _is_slot(b)] for n, bs in blocks.items()}
        around = {}
        for name, value in context.flatten().items():
            if name in _SHELL_KEYS or name in ("True", "False", "None"):
                continue
            if not isinstance(value, _PLAIN) or _MARK in str(value):
                self.frame.unsafe.append(f"{{{{ {name} }}}} set by the shell")
            around[name] = value
        self.frame.slots[self.placeholder] = (self.name, chain, around)
        return self.placeholder


def _is_slot(block) -> bool:
    return any(isinstance(node, _Slot) for node in block.nodelist)


def _own_blocks(template) -> list[str]:
    """The names of the blocks ``template`` defines itself, outermost only."""
    extends = next((n for n in template.nodelist if isinstance(n, ExtendsNode)), None)
    if extends is None:
        return []
    nested = {
        inner.name
        for block in extends.blocks.values()
        for inner in block.nodelist.get_nodes_by_type(BlockNode)
    }
    return [name for name in extends.blocks if name not in nested]


class Frame:
    """The shell of one page template in one language: text and placeholders."""

    def __init__(self, template):
        self.template = template  # django.template.base.Template
        self.slots: dict[str, tuple] = {}  # placeholder -> (block name, chain, around)
        self.missing: set[str] = set()
        self.unsafe: list[str] = []
        self.parts: list[str] = []  # text and placeholders, alternating
        self.encoded: dict[str, list] = {}  # charset -> parts with the text encoded

    @classmethod
    def build(cls, template_name: str) -> "Frame | None":
        template = get_template(template_name).template
        frame = cls(template)
        names = _own_blocks(template)
        if not names:
            return None
        seeded = BlockContext()
        for index, name in enumerate(names):
            placeholder = f"{_MARK}Block{index}x"
            seeded.push(name, BlockNode(name, NodeList([_Slot(frame, name, placeholder)])))
        values = {
            "request": _StandInRequest(frame),
            "user": AnonymousUser(),
            "messages": (),
            "csrf_token": CSRF_PLACEHOLDER,
        }
        context = Context(autoescape=template.engine.autoescape)
        context.dicts.append(RecordingContext(values, frame.missing))
        with context.render_context.push_state(template), context.bind_template(template):
            context.template_name = template.name
            context.render_context[BLOCK_CONTEXT_KEY] = seeded
            html = template._render(context)
        marks = [CSRF_PLACEHOLDER, _PATH_ESCAPED, *frame.slots]
        parts = re.split(f"({'|'.join(re.escape(m) for m in marks)})", html)
        if sum(part.count(_MARK) for part in parts[::2]):
            frame.unsafe.append("a placeholder changed by a filter")
        if frame.unsafe:
            logger.warning("%s: not kept as a frame (%s)", template_name, ", ".join(frame.unsafe))
            return None
        frame.parts = parts
        return frame

    def render(self, request, context: dict, blocks=None, charset=None) -> str | bytes:
        token = get_token(request)
        rendered = {CSRF_PLACEHOLDER: token, _PATH_ESCAPED: _escaped_full_path(request)}
        written = blocks(token) if blocks is not None else {}
        slots = []
        for placeholder, slot in self.slots.items():
            if slot[0] in written:
                rendered[placeholder] = written[slot[0]]
            else:
                slots.append((placeholder, slot))
        if slots:
            self._render_slots(slots, rendered, {**context, **shell_context(request, token)})
        if charset is None:
            return "".join(
                [rendered[part] if index % 2 else part for index, part in enumerate(self.parts)]
            )
        parts = self.encoded.get(charset)
        if parts is None:
            parts = self.encoded[charset] = [
                part if index % 2 else part.encode(charset) for index, part in enumerate(self.parts)
            ]
        return b"".join(
            [
                rendered[part].encode(charset) if index % 2 else part
                for index, part in enumerate(parts)
            ]
        )

    def _render_slots(self, slots, rendered: dict, values: dict) -> None:
        page = Context(values, autoescape=self.template.engine.autoescape)
        template = self.template
        with page.render_context.push_state(template), page.bind_template(template):
            page.template_name = template.name
            for placeholder, (name, chain, around) in slots:
                blocks = BlockContext()
                blocks.blocks.update((n, list(bs)) for n, bs in chain.items())
                page.render_context[BLOCK_CONTEXT_KEY] = blocks
                with page.push(around):
                    rendered[placeholder] = BlockNode(name, NodeList()).render(page)
