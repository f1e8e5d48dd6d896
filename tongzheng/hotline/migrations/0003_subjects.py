"""诉求分类: the common subjects of a 12345 hotline, as a starting list the centre can edit."""

from django.db import migrations

SUBJECTS = [
    ("01", "城乡建设与城市管理"),
    ("02", "交通出行"),
    ("03", "生态环境"),
    ("04", "市场监管与消费维权"),
    ("05", "劳动就业与社会保障"),
    ("06", "教育"),
    ("07", "医疗卫生"),
    ("08", "住房与物业"),
    ("09", "公共安全"),
    ("10", "农业农村"),
    ("11", "民政与社会救助"),
    ("12", "政务服务与营商环境"),
    ("13", "水电气热"),
    ("14", "文化旅游"),
    ("15", "机构编制"),
    ("99", "其他"),
]


def add_subjects(apps, schema_editor):
    Subject = apps.get_model("hotline", "Subject")
    for order, (code, name) in enumerate(SUBJECTS, start=1):
        Subject.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("hotline", "0002_workflow")]
    operations = [migrations.RunPython(add_subjects, migrations.RunPython.noop)]
