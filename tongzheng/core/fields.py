"""Sealed personal data on a model: SM4-GCM ciphertext plus an HMAC-SM3 blind index.

Declare one ``SealedValue`` per piece of personal data (身份证号码, 手机号码)::

    from tongzheng.core.fields import SealedValue

    class Person(models.Model):
        id_number = SealedValue(_("身份证号码"))
        phone = SealedValue(_("手机号码"))

Each declaration adds two ordinary columns (``makemigrations`` sees them as usual):

- ``id_number_sealed`` — TextField, base64(nonce + SM4-GCM ciphertext + tag), "" when unset;
- ``id_number_index`` — CharField(64, db_index=True), HMAC-SM3 of the normalised value.

and gives the model:

- ``person.id_number = "110105199001010011"`` or ``Person(id_number=...)`` or
  ``person.set_id_number(...)``: seals and indexes the value ("" or None clears both);
  bulk_create works because the value is sealed on assignment.
- ``person.id_number`` and ``person.masked_id_number``: the MASKED value
  (110***********0011), safe in templates and lists; "" when unset.
- ``Person.objects.filter(Person.id_number.matches(value))``: exact-match lookup through
  the blind index, one indexed query.
- ``Person.id_number.unseal(person)``: the plain value. Only
  ``tongzheng.core.actions.reveal_personal_data`` (permission + reason + audit) may show
  it to a user; other code may use it for validation or export under the same rules.

Validation (e.g. ``validate_resident_id``) stays with the model's ``clean()`` or the form:
this helper only stores.
"""

from django.db import models
from django.db.models import Q

from tongzheng.core.crypto import blind_index, mask, seal, unseal


class SealedValue(property):
    """A sealed, blind-indexed value; see the module docstring.

    A ``property`` subclass so that ``Model(name=value)`` accepts it like a field.
    """

    def __init__(self, verbose_name="", *, keep_start: int = 3, keep_end: int = 4):
        super().__init__(self._get_masked, self._set)
        self.verbose_name = verbose_name
        self.keep_start = keep_start
        self.keep_end = keep_end
        self.name = ""

    # Django calls this for any class attribute that has it (ModelBase.add_to_class).
    def contribute_to_class(self, cls, name: str) -> None:
        self.name = name
        cls.add_to_class(
            self.sealed_attname,
            models.TextField(self.verbose_name, blank=True, default="", editable=False),
        )
        cls.add_to_class(
            self.index_attname,
            models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False),
        )
        setattr(cls, name, self)
        setattr(cls, f"set_{name}", lambda instance, value: self._set(instance, value))
        setattr(cls, f"masked_{name}", property(self._get_masked))
        sealed = dict(getattr(cls, "_sealed_values", {}))
        sealed[name] = self
        cls._sealed_values = sealed

    @property
    def sealed_attname(self) -> str:
        return f"{self.name}_sealed"

    @property
    def index_attname(self) -> str:
        return f"{self.name}_index"

    def _set(self, instance, value) -> None:
        value = (value or "").strip()
        setattr(instance, self.sealed_attname, seal(value) if value else "")
        setattr(instance, self.index_attname, blind_index(value) if value else "")

    def _get_masked(self, instance) -> str:
        plain = self.unseal(instance)
        return mask(plain, self.keep_start, self.keep_end) if plain else ""

    def unseal(self, instance) -> str:
        """The plain value ("" when unset). Show it to a user only through the reveal action."""
        token = getattr(instance, self.sealed_attname)
        return unseal(token) if token else ""

    def matches(self, value: str) -> Q:
        """A filter for rows holding exactly ``value`` (after the index's normalisation)."""
        return Q(**{self.index_attname: blind_index(value)})


def sealed_values(model_or_instance) -> dict[str, SealedValue]:
    """The SealedValue declarations of a model, by name."""
    model = model_or_instance if isinstance(model_or_instance, type) else type(model_or_instance)
    return dict(getattr(model, "_sealed_values", {}))
