"""Hotline factories other apps may import (subjects, mailboxes, tickets with a running clock)."""

import factory
from django.utils import timezone

from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.models import (
    Channel,
    MailBox,
    Subject,
    Ticket,
    TicketType,
    Urgency,
    hash_code,
    limit_for,
)
from tongzheng.hotline.text import token_string

DEFAULT_CODE = "ABCDEFGH23"


class SubjectFactory(factory.django.DjangoModelFactory):
    """诉求分类."""

    class Meta:
        model = Subject
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"测试分类{n}")


class MailBoxFactory(factory.django.DjangoModelFactory):
    """领导信箱 of an organisation in its division."""

    class Meta:
        model = MailBox

    slug = factory.Sequence(lambda n: f"box-{n}")
    title = factory.Sequence(lambda n: f"测试领导信箱{n}")
    leader_name = "王市长"
    organisation = factory.SubFactory(OrganisationFactory)
    division = factory.LazyAttribute(lambda o: o.organisation.division)


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket whose 提取码 is ``code`` (default DEFAULT_CODE) and whose clock runs.

    ``started`` (default now) starts the clock with ``limit_for(type, urgency)``; pass
    ``started=None`` for a ticket without a clock. ``phone`` sets the sealed caller number.
    """

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    class Params:
        code = DEFAULT_CODE

    # Not model fields: taken out in ``_create`` / ``_build``.
    started = factory.LazyFunction(timezone.now)
    phone = ""

    number = factory.Sequence(lambda n: f"12345-20261128-{900000 + n:06d}")
    channel = Channel.WEB
    type = TicketType.ENQUIRY
    urgency = Urgency.NORMAL
    content = "小区路灯不亮，请尽快维修。"
    reporter_name = "张三"
    title = ""
    address = ""
    division = None
    code_hash = factory.LazyAttribute(lambda o: hash_code(o.number, o.code))
    search_tokens = factory.LazyAttribute(lambda o: token_string(o.title, o.content, o.address))
    division_path = factory.LazyAttribute(lambda o: o.division.path if o.division else "")

    @classmethod
    def _create(cls, model_class, *args, started=None, phone="", **kwargs):
        ticket = model_class(*args, **kwargs)
        if phone:
            ticket.reporter_phone = phone
        if started is not None:
            ticket.start(started, limit_for(ticket.type, ticket.urgency))
        ticket.save()
        return ticket

    @classmethod
    def _build(cls, model_class, *args, started=None, phone="", **kwargs):
        ticket = model_class(*args, **kwargs)
        if phone:
            ticket.reporter_phone = phone
        return ticket


__all__ = ["DEFAULT_CODE", "DivisionFactory", "MailBoxFactory", "SubjectFactory", "TicketFactory"]
