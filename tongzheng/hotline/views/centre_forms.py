"""Forms of the hotline centre's pages: the list's filters and one form per centre action."""

import copy

from django import forms
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongzheng.core.timed import TimedStatus
from tongzheng.hotline.actions import centre as actions
from tongzheng.hotline.models import (
    Channel,
    Satisfaction,
    Subject,
    TicketStatus,
    TicketType,
    Urgency,
)


def _select(attrs=None):
    return forms.Select(attrs={"class": "form-select", **(attrs or {})})


def _text(rows=3):
    return forms.Textarea(attrs={"class": "form-control", "rows": rows})


def _blank(choices):
    return [("", _("全部")), *choices]


class CentreForm(forms.Form):
    """A centre action's form, written by ``hotline/centre/_form.html`` (``{{ form }}``).

    An unbound form without initial values is the same text for every operator and
    ticket (its labels, widgets and prefix only): it is rendered once per process,
    language and prefix. A form whose fields depend on the ticket (the 不予受理 grounds)
    or that carries values or errors is rendered each time.
    """

    template_name = "hotline/centre/_form.html"
    same_for_every_ticket = True

    def render(self, template_name=None, context=None, renderer=None):
        if self.is_bound or template_name or context or renderer or not self.same_for_every_ticket:
            return super().render(template_name, context, renderer)
        if self.initial:
            return self._render_initial()
        key = (type(self), self.prefix, get_language(), get_script_prefix())
        html = _RENDERED.get(key)
        if html is None:
            if len(_RENDERED) >= _RENDERED_MAX:  # withdraw-<pk> prefixes: keep it bounded
                _RENDERED.clear()
            html = _RENDERED[key] = super().render()
        return html

    def _render_initial(self):
        """An unbound form whose initial values are texts of text inputs and textareas
        (公开来信's prefill): rendered once per language, prefix and set of empty values,
        with a stand-in for each non-empty value, which is then replaced by the value
        escaped, as the widget writes it (an input's ``value`` attribute, a textarea's
        text; an empty value writes neither, hence the set of empty values in the key)."""
        initial = self.initial
        for name, value in initial.items():
            field = self.fields.get(name)
            if (
                field is None
                or type(field.widget) not in _TEXT_WIDGETS
                or type(value) is not str
                or _STAND_IN in value
            ):
                return super().render()
        shape = tuple(sorted((name, value != "") for name, value in initial.items()))
        key = (type(self), self.prefix, get_language(), get_script_prefix(), shape)
        html = _RENDERED.get(key)
        if html is None:
            if len(_RENDERED) >= _RENDERED_MAX:
                _RENDERED.clear()
            stand_in = copy.copy(self)  # the same fields; its own initial and bound fields
            stand_in.initial = {name: _stand_in(name) if filled else "" for name, filled in shape}
            stand_in._bound_fields_cache = {}
            html = super(CentreForm, stand_in).render()
            if any(html.count(_stand_in(name)) != 1 for name, filled in shape if filled):
                return super().render()  # written elsewhere too: not replaceable
            _RENDERED[key] = html
        for name, value in initial.items():
            if value:
                html = html.replace(_stand_in(name), escape(value))
        return mark_safe(html)  # noqa: S308 - the form's own HTML, the values escaped

    __str__ = render  # Django binds these to its own render
    __html__ = render


_RENDERED: dict[tuple, str] = {}
_RENDERED_MAX = 500
_TEXT_WIDGETS = (forms.TextInput, forms.Textarea)
_STAND_IN = "\x00tz-initial-"  # a NUL: no stored text contains one


def _stand_in(name: str) -> str:
    return f"{_STAND_IN}{name}\x00"


class TicketFilterForm(forms.Form):
    """工单查询: every filter is optional; an unknown value is an error (400), not ignored."""

    q = forms.CharField(
        label=_("关键词或工单编号"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=_blank(TicketStatus.choices), widget=_select()
    )
    channel = forms.ChoiceField(
        label=_("渠道"), required=False, choices=_blank(Channel.choices), widget=_select()
    )
    type = forms.ChoiceField(
        label=_("类型"), required=False, choices=_blank(TicketType.choices), widget=_select()
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"), required=False, choices=_blank(Urgency.choices), widget=_select()
    )
    clock = forms.ChoiceField(
        label=_("时限状态"), required=False, choices=_blank(TimedStatus.choices), widget=_select()
    )
    subject = forms.ModelChoiceField(
        label=_("诉求分类"),
        required=False,
        queryset=Subject.objects.filter(active=True),
        empty_label=_("全部"),
        widget=_select(),
    )
    after = forms.RegexField(
        regex=r"^(n|\d{1,20}):\d{1,20}$", required=False, widget=forms.HiddenInput
    )


class _SharedFields(dict):
    """The filter form's fields, shared by its instances instead of deep-copied for each
    (Django's default, about 1,400 Python calls for these eight on every list page): the
    list never changes a field, widget or choice of an instance; the 诉求分类 field's
    queryset is read afresh at each use."""

    def __deepcopy__(self, memo):
        return dict(self)


TicketFilterForm.base_fields = _SharedFields(TicketFilterForm.base_fields)


class OrganisationPicker(forms.Widget):
    """承办单位 by name search instead of a drop-down of the whole division.

    Renders a search box (htmx: ``hotline:organisation_search`` answers with at most
    ``SEARCH_LIMIT`` matches as radio buttons or check boxes of this field's name) and the
    organisations already chosen, checked. Nothing but the chosen rows is read from the
    database, so a province-level centre with 100,000 organisations gets a small page.
    The field's queryset still validates the submitted ids on the server.
    """

    template_name = "hotline/centre/_organisation_picker.html"

    def __init__(self, *, multiple=False, empty_label=None, attrs=None):
        super().__init__(attrs)
        self.multiple = multiple
        self.allow_multiple_selected = multiple
        self.empty_label = empty_label
        self.choices = ()

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        # An unchecked group sends nothing: that is an empty choice, not an omission.
        return False if self.multiple else name not in data

    def _chosen(self, value):
        if value in (None, ""):
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        pks = []
        for item in values:
            item = getattr(item, "pk", item)
            if str(item).isdigit():
                pks.append(int(item))
        queryset = getattr(self.choices, "queryset", None)
        if not pks or queryset is None:
            return []
        return list(queryset.filter(pk__in=pks).order_by("name"))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            chosen=self._chosen(value),
            multiple=self.multiple,
            empty_label=self.empty_label,
            empty_checked=self.empty_label is not None and value in (None, ""),
            search_url=reverse("hotline:organisation_search"),
            input_type="checkbox" if self.multiple else "radio",
            describedby=context["widget"]["attrs"].get("aria-describedby", ""),
        )
        return context

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_


class _OrganisationsForm(CentreForm):
    lead = forms.ModelChoiceField(label=_("主办单位"), queryset=None, widget=OrganisationPicker())
    assisting = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=None,
        required=False,
        widget=OrganisationPicker(multiple=True),
        help_text=_("可多选；协办单位向主办单位提供办理意见。"),
    )
    instructions = forms.CharField(
        label=_("派单意见"), required=False, max_length=1000, widget=_text(2)
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = actions.dispatchable_organisations(actor)
        self.fields["lead"].queryset = organisations
        self.fields["assisting"].queryset = organisations


class DispatchForm(_OrganisationsForm):
    """派单."""

    prefix = "dispatch"


class RedispatchForm(_OrganisationsForm):
    """改派: withdraw every department's part and dispatch anew."""

    prefix = "redispatch"
    reason = forms.CharField(label=_("改派理由"), max_length=500, widget=_text(2))


class WithdrawForm(CentreForm):
    """撤回 one department's part."""

    reason = forms.CharField(
        label=_("撤回理由"),
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class NotAcceptedForm(CentreForm):
    """不予受理: the grounds depend on the channel (12310 has its own four)."""

    prefix = "refuse"
    same_for_every_ticket = False  # the grounds depend on the ticket's channel
    ground = forms.ChoiceField(label=_("不予受理理由"), choices=(), widget=_select())
    reason = forms.CharField(label=_("补充说明"), required=False, max_length=150, widget=_text(2))

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = [("", _("请选择")), *actions.grounds_for(ticket)]


class MergeForm(CentreForm):
    """合并 this ticket into a master named by its number."""

    prefix = "merge"
    master = forms.CharField(
        label=_("合并到工单编号"),
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class DecisionForm(CentreForm):
    """审核 a dispute or an extension request."""

    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("approve", _("同意")), ("reject", _("不同意"))],
        widget=_select(),
    )
    note = forms.CharField(label=_("审核意见"), required=False, max_length=500, widget=_text(2))


class DisputeDecisionForm(DecisionForm):
    organisation = forms.ModelChoiceField(
        label=_("改派至"),
        queryset=None,
        required=False,
        widget=OrganisationPicker(empty_label=_("按异议单位的建议")),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = actions.dispatchable_organisations(actor)


class PressForm(CentreForm):
    """催办 / 督办."""

    content = forms.CharField(label=_("内容"), max_length=1000, widget=_text(2))


class RevisitForm(CentreForm):
    """回访."""

    prefix = "revisit"
    satisfaction = forms.ChoiceField(
        label=_("满意度"),
        choices=[("", _("请选择")), *Satisfaction.choices],
        widget=_select(),
    )
    note = forms.CharField(label=_("回访记录"), required=False, max_length=1000, widget=_text(2))


class PublishForm(CentreForm):
    """公开 a letter: the centre edits out names, numbers and addresses first."""

    prefix = "publish"
    title = forms.CharField(
        label=_("公开标题"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    content = forms.CharField(label=_("公开内容"), widget=_text(4))
    reply = forms.CharField(label=_("公开答复"), widget=_text(4))


class UnpublishForm(CentreForm):
    """撤销公开 a published letter."""

    prefix = "unpublish"
    reason = forms.CharField(label=_("撤销理由"), max_length=500, widget=_text(2))


SEARCH_LIMIT = 20


class OrganisationSearchForm(forms.Form):
    """The picker's search: ``q`` (a part of the name), the field it fills, its choices."""

    q = forms.CharField(required=False, max_length=50, strip=True)
    field = forms.RegexField(regex=r"^[a-z]+(-\d+)?-(lead|assisting|organisation)$", max_length=40)
    multiple = forms.BooleanField(required=False)
