import factory

from tongzheng.hotline.models import Channel, Ticket, TicketType, hash_code

DEFAULT_CODE = "ABCDEFGH23"


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket whose 提取码 is ``code`` (default DEFAULT_CODE)."""

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    class Params:
        code = DEFAULT_CODE

    number = factory.Sequence(lambda n: f"12345-20261128-{900000 + n:06d}")
    channel = Channel.WEB
    type = TicketType.ENQUIRY
    content = "小区路灯不亮，请尽快维修。"
    reporter_name = "张三"
    code_hash = factory.LazyAttribute(lambda o: hash_code(o.number, o.code))
