"""check_upload: size limit, real type by magic number, extension and content must agree."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tongzheng.core.uploads import check_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
GIF = b"GIF89a" + b"\x00" * 64


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def zipped(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.JPG", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("scan.png", PNG, "image/png"),
        ("letter.pdf", PDF, "application/pdf"),
    ],
)
def test_default_kinds_are_accepted_with_the_type_from_the_content(name, content, content_type):
    info = check_upload(upload(name, content, "text/html"))
    assert info.name == name
    assert info.content_type == content_type
    assert info.size == len(content)
    assert info.sha256 == hashlib.sha256(content).hexdigest()


def test_the_file_is_rewound_for_storage():
    file = upload("a.pdf", PDF)
    check_upload(file)
    assert file.read() == PDF


def test_an_oversize_file_is_refused_with_a_chinese_message():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("big.pdf", PDF + b"x" * 100), max_bytes=100)
    assert error.value.code == "too_large"
    assert "大小限制" in error.value.messages[0]


def test_exactly_the_limit_is_accepted():
    check_upload(upload("edge.pdf", PDF[:50]), max_bytes=50)


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("empty.pdf", b""))
    assert error.value.code == "empty"


@pytest.mark.parametrize("name", ["run.exe", "page.html", "noextension", "a.gif"])
def test_extensions_outside_the_allowed_kinds_are_refused(name):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, GIF))
    assert error.value.code == "kind"
    assert "JPG、PNG、PDF" in error.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", PNG),  # a PNG renamed
        ("scan.png", PDF),
        ("letter.pdf", b"<html><script>alert(1)</script></html>"),
        ("photo.jpg", b"MZ\x90\x00 a Windows program"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, content):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    assert error.value.code == "mismatch"
    assert "内容与扩展名不符" in error.value.messages[0]


def test_gif_when_asked():
    assert check_upload(upload("a.gif", GIF), kinds=("gif",)).content_type == "image/gif"


@pytest.mark.parametrize(
    ("name", "member", "kind"),
    [
        ("doc.ofd", "OFD.xml", "ofd"),
        ("doc.docx", "word/document.xml", "docx"),
        ("sheet.xlsx", "xl/workbook.xml", "xlsx"),
    ],
)
def test_zip_based_formats_need_their_defining_member(name, member, kind):
    kinds = ("ofd", "docx", "xlsx")
    assert check_upload(upload(name, zipped(member)), kinds=kinds).size > 0
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, zipped("other.txt")), kinds=kinds)
    assert error.value.code == "mismatch"


def test_a_docx_renamed_xlsx_is_refused():
    with pytest.raises(ValidationError):
        check_upload(upload("sheet.xlsx", zipped("word/document.xml")), kinds=("xlsx",))


def test_zip_kinds_are_not_accepted_unless_asked():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("doc.docx", zipped("word/document.xml")))
    assert error.value.code == "kind"


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown upload kinds"):
        check_upload(upload("a.pdf", PDF), kinds=("bmp",))
