"""Checks on files an applicant uploads: size, declared type and the content's magic number.

A file is accepted only when its first bytes match one of the allowed formats, whatever
its name or declared content type says (a renamed executable is refused).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

#: (content type, extensions, magic prefix)
ALLOWED = (
    ("application/pdf", (".pdf",), b"%PDF-"),
    ("image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
    ("image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
    ("application/ofd", (".ofd",), b"PK\x03\x04"),  # OFD (GB/T 33190) is a ZIP container
)


def check_upload(upload) -> str:
    """The content type of ``upload`` if it is an allowed file; otherwise ValidationError."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("文件不能超过20MB。"))
    if upload.size == 0:
        raise ValidationError(_("文件是空的。"))
    name = (upload.name or "").lower()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, extensions, magic in ALLOWED:
        if name.endswith(extensions):
            if not head.startswith(magic):
                raise ValidationError(
                    _("文件内容与扩展名不符，请上传真实的PDF、JPG、PNG或OFD文件。")
                )
            return content_type
    raise ValidationError(_("只能上传PDF、JPG、PNG或OFD文件。"))
