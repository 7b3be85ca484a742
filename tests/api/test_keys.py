"""String partition keys and message group ids, hashed in Rust (``_core.hash_keys``): the same
integers as the rule written with :mod:`hashlib` (the first 8 bytes, little-endian and signed,
of the MD5 of the key's UTF-8 bytes), for every kind of input, and the same errors."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lambda_core as lc
from lambda_core import _core
from lambda_core._model import key_to_int
from tests.support.profiles import examples


def reference(key: str | bytes) -> int:
    data = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    return int.from_bytes(hashlib.md5(data).digest()[:8], "little", signed=True)


# every code point but the surrogates, which no UTF-8 text holds
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
KEYS = st.lists(st.one_of(TEXT, st.binary(max_size=80)), max_size=40)


@settings(max_examples=examples(200))
@given(KEYS)
def test_hashes_equal_hashlibs(keys) -> None:
    hashed = _core.hash_keys(keys)
    assert hashed.dtype == np.int64 and hashed.shape == (len(keys),)
    assert hashed.tolist() == [reference(k) for k in keys]
    assert [key_to_int(k) for k in keys] == hashed.tolist()


@settings(max_examples=examples(100))
@given(st.lists(TEXT, min_size=1, max_size=40))
def test_numpy_string_arrays_hash_as_their_elements(keys) -> None:
    u = np.array(keys, dtype=f"U{max(1, max(map(len, keys)))}")
    want = [reference(k) for k in u.tolist()]  # numpy drops trailing NULs, as tolist() shows
    assert _core.hash_keys(u).tolist() == want
    assert _core.hash_keys(u.astype(u.dtype.newbyteorder(">"))).tolist() == want  # byte-swapped
    assert _core.hash_keys(u[::-2]).tolist() == want[::-2]  # strided, not contiguous
    assert _core.hash_keys(u.astype(object)).tolist() == want


def test_edge_keys() -> None:
    keys = ["", "a", "\x00", "a\x00", "é", "🙂", "𝄞 non-BMP 𐍈", "x" * 55, "x" * 56, "x" * 200,
            "ключ", b"", b"\x00\xff", bytearray(b"clicks")]
    assert _core.hash_keys(keys).tolist() == [reference(k) for k in keys]
    assert _core.hash_keys(tuple(keys)).tolist() == [reference(k) for k in keys]
    assert _core.hash_keys(iter_sized(keys)).tolist() == [reference(k) for k in keys]
    assert _core.hash_keys([]).shape == (0,) and _core.hash_keys(np.array([], "U3")).shape == (0,)
    # known values: MD5("") begins d41d8cd98f00b204
    assert key_to_int("") == int.from_bytes(bytes.fromhex("d41d8cd98f00b204"), "little", signed=True)


class iter_sized:
    """A sized iterable that is neither a list nor a tuple."""

    def __init__(self, items: list) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)


def test_bytes_arrays_drop_trailing_nuls_as_numpy_does() -> None:
    s = np.array([b"a\x00b", b"c\x00", b"", b"\x00"], dtype="S4")
    assert s.tolist() == [b"a\x00b", b"c", b"", b""]
    assert _core.hash_keys(s).tolist() == [reference(k) for k in s.tolist()]
    u = np.array(["a\x00b", "c\x00", ""], dtype="U4")
    assert _core.hash_keys(u).tolist() == [reference(k) for k in u.tolist()]


def test_errors() -> None:
    with pytest.raises(TypeError, match="element 2 is int, not str or bytes"):
        _core.hash_keys(["a", b"b", 3])
    with pytest.raises(TypeError, match="element 1 is NoneType"):
        _core.hash_keys(np.array(["a", None], dtype=object))
    with pytest.raises(TypeError, match="not a single str"):
        _core.hash_keys("abc")
    with pytest.raises(ValueError, match="one-dimensional"):
        _core.hash_keys(np.array([["a"]]))
    # a lone surrogate: Python's own error, as str.encode("utf-8") raises it
    for keys in (["ok", "\ud800"], np.array(["ok", "\ud800"])):
        with pytest.raises(UnicodeEncodeError):
            _core.hash_keys(keys)
    with pytest.raises(TypeError, match="key_to_int: a key must be a str or bytes, got int 5"):
        key_to_int(5)  # type: ignore[arg-type]


def test_records_hash_string_keys_with_the_one_rule() -> None:
    keys = ["user-1", "user-2", "ключ", "🙂"]
    want = [reference(k) for k in keys]
    for given in (keys, np.array(keys), np.array(keys, dtype=object), [k.encode() for k in keys],
                  np.array([k.encode() for k in keys])):
        assert lc.Records("s", np.arange(4.0), key=given).key.tolist() == want
    with pytest.raises(TypeError, match=r"Records.key: every key must be a str or bytes: element 1 is int"):
        lc.Records("s", [0.0, 1.0], key=["a", 5])
    with pytest.raises(ValueError, match="Records.key must be one-dimensional"):
        lc.Records("s", [0.0], key=np.array([["a"]]))
