"""``hotline.prepared.from_db`` makes the instances ``Model.from_db`` makes."""

import datetime

from django.db.models.signals import post_init

from tongzheng.hotline.models import Attachment, Ticket, TicketUpdate
from tongzheng.hotline.prepared import from_db


def _state(instance):
    return {k: v for k, v in instance.__dict__.items() if k != "_state"}


def _same(model, attnames, values):
    made, django = (
        from_db(model, "default", attnames, values),
        model.from_db("default", attnames, values),
    )
    assert type(made) is model
    assert _state(made) == _state(django)
    assert (made._state.adding, made._state.db) == (False, "default")
    assert made._state.fields_cache == {}
    assert made.get_deferred_fields() == django.get_deferred_fields()
    return made


def test_a_partial_row():
    # In the model's field order, as ``from_db`` takes them (and the compiler selects them).
    moment = datetime.datetime(2026, 11, 28, 8, 0, tzinfo=datetime.UTC)
    given = {
        "id": 7,
        "number": "12345-20261128-000007",
        "status": "received",
        "due_at": moment,
        "subject_id": 3,
        "organisation_id": None,
    }
    attnames = tuple(f.attname for f in Ticket._meta.concrete_fields if f.attname in given)
    made = _same(Ticket, attnames, tuple(given[name] for name in attnames))
    assert made.pk == 7 and made.subject_id == 3 and made.organisation_id is None
    assert "content" in made.get_deferred_fields()


def test_a_full_row():
    fields = TicketUpdate._meta.concrete_fields
    attnames = tuple(field.attname for field in fields)
    values = tuple(field.get_default() for field in fields)
    _same(TicketUpdate, attnames, values)


def test_a_model_with_a_file_column_is_made_by_django():
    made = from_db(Attachment, "default", ("id", "file", "name"), (1, "a/b.pdf", "b.pdf"))
    assert made.file.name == "a/b.pdf"  # a FieldFile, as Django's descriptor made it


def test_a_receiver_of_post_init_is_called():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Ticket)
    try:
        made = from_db(Ticket, "default", ("id", "number"), (8, "12345-20261128-000008"))
    finally:
        post_init.disconnect(receiver, sender=Ticket)
    assert seen == [made]
