"""core.crypto: SM3 digests against the standard's test vectors (GB/T 32905-2016 A.1, A.2)."""

from tongzheng.core.crypto import sm3_hex


def test_sm3_gives_the_standards_digests():
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abcd" * 16) == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_each_digest_starts_from_an_empty_state():
    first = sm3_hex(b"abc")
    sm3_hex(b"something else")
    assert sm3_hex(b"abc") == first
