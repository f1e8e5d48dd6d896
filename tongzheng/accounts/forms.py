"""Forms of the accounts pages: input shape only; the rules live in accounts.actions."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongzheng.accounts.models import AccountKind, Role, User
from tongzheng.core.access import DataScope
from tongzheng.core.registry import platform


class BootstrapMixin:
    """Bootstrap 5 classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self._errors or {}:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"

    def apply_errors(self, exc: ValidationError) -> None:
        """Put an action's ValidationError on the matching fields (or above the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class LoginForm(BootstrapMixin, forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(BootstrapMixin, forms.Form):
    token = forms.RegexField(
        label=_("动态口令"),
        regex=r"^\s*\d{6,8}\s*$",
        error_messages={"invalid": _("请输入身份验证器显示的6位数字。")},
        help_text=_("打开身份验证器应用，输入当前显示的6位数字。"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "maxlength": 8,
            }
        ),
    )


class PasswordChangeForm(BootstrapMixin, forms.Form):
    old_password = forms.CharField(
        label=_("原密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class RegisterForm(BootstrapMixin, forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @ . + - _ 符号。")},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=100)
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("该用户名已被使用，请换一个。"))
        return username

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class UserCreateForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("账户类型"), choices=AccountKind.choices)
    organisation = forms.ModelChoiceField(
        label=_("所属机构"),
        queryset=None,
        required=False,
        help_text=_("工作人员必须选择所属机构；公众账户不选。"),
    )
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @ . + - _ 符号。")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=100)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("该用户名已被使用，请换一个。"))
        return username


class DisableForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("停用原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RoleForm(BootstrapMixin, forms.Form):
    code = forms.SlugField(
        label=_("角色代码"),
        max_length=50,
        help_text=_("英文字母、数字、下划线或连字符，创建后不能修改。"),
    )
    name = forms.CharField(label=_("角色名称"), max_length=100)
    scope = forms.TypedChoiceField(label=_("数据范围"), choices=DataScope.choices, coerce=int)
    permissions = forms.MultipleChoiceField(
        label=_("权限"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, role: Role | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = [
            (p.code, f"{p.label}（{p.code}）") for p in platform.permissions.values()
        ]
        if role is not None:
            del self.fields["code"]
        else:
            self.fields["code"].validators.append(self._unique_code)

    @staticmethod
    def _unique_code(value):
        if Role.objects.filter(code=value).exists():
            raise ValidationError(_("该角色代码已存在。"))


class AssignRolesForm(BootstrapMixin, forms.Form):
    roles = forms.ModelMultipleChoiceField(
        label=_("角色"),
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
