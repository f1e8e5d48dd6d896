"""Sealed personal data (SealedValue) and its audited reveal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.http import Http404
from django.test.utils import isolate_apps

from tongzheng.accounts.tests.factories import CitizenFactory, RoleFactory, UserFactory
from tongzheng.audit.models import AuditEvent
from tongzheng.core import crypto
from tongzheng.core.access import DataScope
from tongzheng.core.actions import reveal_personal_data
from tongzheng.core.fields import SealedValue, sealed_values

ID_NUMBER = "51010419900101001X"
OTHER_ID = "510104199001010016"


class HolderQuerySet(models.QuerySet):
    def for_user(self, user, permission):
        """A stand-in data scope: a user sees the holders that name them as owner."""
        return self.filter(owner_username=user.get_username())


with isolate_apps("tongzheng.core"):

    class Holder(models.Model):
        """A model declaring sealed values, as staffing's Person does."""

        name = models.CharField(max_length=50)
        owner_username = models.CharField(max_length=150, blank=True)
        id_number = SealedValue("身份证号码")
        phone = SealedValue("手机号码")

        objects = HolderQuerySet.as_manager()

        class Meta:
            app_label = "core"
            db_table = "core_test_sealed_holder"

        def __str__(self):
            return self.name


@pytest.fixture(scope="session")
def holder_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(Holder)
        yield Holder
        with connection.schema_editor() as editor:
            editor.delete_model(Holder)


@pytest.fixture
def holder(holder_table, db):
    return Holder.objects.create(name="张三", owner_username="revealer", id_number=ID_NUMBER)


@pytest.fixture
def revealer(db):
    role = RoleFactory(permissions=["core.reveal_personal_data"], scope=DataScope.ALL)
    return UserFactory(username="revealer", roles=[role])


def reveal_events():
    return AuditEvent.objects.filter(action="personal_data.revealed")


# ---- the model helper ------------------------------------------------------------------


def test_sealed_value_adds_two_columns():
    names = {f.name for f in Holder._meta.get_fields()}
    assert {"id_number_sealed", "id_number_index", "phone_sealed", "phone_index"} <= names
    assert Holder._meta.get_field("id_number_index").db_index
    assert set(sealed_values(Holder)) == {"id_number", "phone"}


def test_value_is_stored_sealed_and_shown_masked(holder):
    row = Holder.objects.values("id_number_sealed", "id_number_index").get(pk=holder.pk)
    assert ID_NUMBER not in row["id_number_sealed"]
    assert crypto.unseal(row["id_number_sealed"]) == ID_NUMBER
    assert row["id_number_index"] == crypto.blind_index(ID_NUMBER)
    fresh = Holder.objects.get(pk=holder.pk)
    assert fresh.id_number == "510***********001X"
    assert fresh.masked_id_number == "510***********001X"
    assert str(fresh.id_number) != ID_NUMBER
    assert Holder.id_number.unseal(fresh) == ID_NUMBER


def test_set_and_clear(holder_table, db):
    holder = Holder(name="李四")
    assert holder.id_number == "" and holder.id_number_index == ""
    holder.set_phone("13800138000")
    assert holder.masked_phone == "138****8000"
    holder.phone = ""
    assert (holder.phone_sealed, holder.phone_index) == ("", "")


def test_blind_index_finds_the_exact_record(holder, django_assert_num_queries):
    Holder.objects.create(name="李四", id_number=OTHER_ID)
    Holder.objects.bulk_create(
        [Holder(name=f"批量{i}", id_number=f"1101051990010{i:04d}1") for i in range(5)]
    )
    with django_assert_num_queries(1):
        found = list(Holder.objects.filter(Holder.id_number.matches(ID_NUMBER)))
    assert [h.pk for h in found] == [holder.pk]
    # The index normalises case and spaces; a near miss finds nothing.
    assert Holder.objects.filter(Holder.id_number.matches(" 51010419900101001x ")).get() == holder
    assert not Holder.objects.filter(Holder.id_number.matches(ID_NUMBER[:-1] + "1")).exists()


def test_sealing_is_randomised_but_the_index_is_not(holder_table, db):
    a = Holder(name="a", id_number=ID_NUMBER)
    b = Holder(name="b", id_number=ID_NUMBER)
    assert a.id_number_sealed != b.id_number_sealed
    assert a.id_number_index == b.id_number_index


# ---- the reveal action -----------------------------------------------------------------


def test_reveal_requires_the_permission(holder):
    clerk = UserFactory(username="revealer")  # in scope, but no permission
    with pytest.raises(PermissionDenied):
        reveal_personal_data(actor=clerk, target=holder, field_name="id_number", reason="核对身份")
    event = reveal_events().get()
    assert event.outcome == "denied"
    assert ID_NUMBER not in str(event.detail)


def test_citizens_cannot_reveal(holder):
    with pytest.raises(PermissionDenied):
        reveal_personal_data(
            actor=CitizenFactory(), target=holder, field_name="id_number", reason="好奇"
        )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reveal_requires_a_reason(holder, revealer, reason):
    with pytest.raises(ValidationError) as excinfo:
        reveal_personal_data(actor=revealer, target=holder, field_name="id_number", reason=reason)
    assert "理由" in excinfo.value.messages[0]
    assert not reveal_events().exists()


def test_reveal_returns_the_value_and_audits_the_reason(holder, revealer):
    value = reveal_personal_data(
        actor=revealer, target=holder, field_name="id_number", reason="办理调动需核对身份证号"
    )
    assert value == ID_NUMBER
    event = reveal_events().get()
    assert event.outcome == "success"
    assert event.actor_id == revealer.pk
    assert event.detail == {"field": "id_number", "reason": "办理调动需核对身份证号"}
    assert (event.object_type, event.object_id) == ("core.holder", str(holder.pk))
    assert ID_NUMBER not in str(event.detail) and ID_NUMBER not in event.object_repr


def test_reveal_outside_the_data_scope_is_not_found(holder):
    role = RoleFactory(permissions=["core.reveal_personal_data"], scope=DataScope.ALL)
    stranger = UserFactory(username="stranger", roles=[role])
    with pytest.raises(Http404):
        reveal_personal_data(actor=stranger, target=holder, field_name="id_number", reason="核对")
    assert not reveal_events().filter(outcome="success").exists()


def test_reveal_of_a_plain_field_is_a_programming_error(holder, revealer):
    with pytest.raises(ValueError):
        reveal_personal_data(actor=revealer, target=holder, field_name="name", reason="核对")
