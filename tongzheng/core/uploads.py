"""Uploaded files checked before they are stored: size, and the real type by magic number.

A browser's ``Content-Type`` and the file name's extension are the uploader's claims;
only the first bytes say what a file is. ``check_upload`` accepts a file when its
extension is one of the allowed kinds AND its content is that kind, so a script renamed
``photo.jpg`` or a PDF renamed ``.png`` is refused. OFD, DOCX and XLSX are ZIP
containers: besides the ZIP signature, the member that defines each format must exist.
"""

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_KINDS = ("jpg", "png", "pdf")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# kind -> (extensions, content type)
KINDS = {
    "pdf": ((".pdf",), "application/pdf"),
    "png": ((".png",), "image/png"),
    "jpg": ((".jpg", ".jpeg"), "image/jpeg"),
    "gif": ((".gif",), "image/gif"),
    "ofd": ((".ofd",), "application/ofd"),
    "docx": (
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

# The ZIP member that makes a container this format (GB/T 33190 OFD: OFD.xml at the root).
_ZIP_MEMBERS = {"ofd": "OFD.xml", "docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class UploadInfo:
    name: str
    content_type: str
    size: int
    sha256: str


def _sniff(head: bytes) -> str | None:
    """The kind the first bytes announce (ZIP containers answer "zip")."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _zip_kind(uploaded_file, kind: str) -> bool:
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            return _ZIP_MEMBERS[kind] in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _kind_for_name(name: str, kinds) -> str | None:
    suffix = PurePath(name).suffix.lower()
    for kind in kinds:
        if suffix in KINDS[kind][0]:
            return kind
    return None


def _allowed_text(kinds) -> str:
    return "、".join(kind.upper() for kind in kinds)


def check_upload(
    uploaded_file, *, kinds=DEFAULT_KINDS, max_bytes: int = DEFAULT_MAX_BYTES
) -> UploadInfo:
    """Check one uploaded file; raise ``ValidationError`` (Chinese) or return what it is.

    The file is read once in chunks for its SHA-256 and left rewound for storage.
    """
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise ValueError(f"unknown upload kinds: {unknown}")
    name = PurePath(uploaded_file.name or "").name
    size = uploaded_file.size
    if size is None or size <= 0:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": name}, code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("文件“%(name)s”超过 %(limit)s 的大小限制。")
            % {"name": name, "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    kind = _kind_for_name(name, kinds)
    if kind is None:
        raise ValidationError(
            _("文件“%(name)s”的类型不允许，只接受 %(kinds)s 文件。")
            % {"name": name, "kinds": _allowed_text(kinds)},
            code="kind",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    sniffed = _sniff(head)
    matches = sniffed == kind or (sniffed == "zip" and kind in _ZIP_MEMBERS)
    if matches and kind in _ZIP_MEMBERS:
        matches = _zip_kind(uploaded_file, kind)
    if not matches:
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符，不是有效的 %(kind)s 文件。")
            % {"name": name, "kind": kind.upper()},
            code="mismatch",
        )
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return UploadInfo(
        name=name[:200], content_type=KINDS[kind][1], size=size, sha256=digest.hexdigest()
    )
