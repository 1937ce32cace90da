"""Safe reading of untrusted JSON and text files."""

from __future__ import annotations

from pathlib import Path

import pytest

from resources.errors import InputError
from resources.io import safe_json


def _write(tmp_path: Path, data: bytes, name: str = "doc.json") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_reads_a_plain_document(tmp_path: Path) -> None:
    p = _write(tmp_path, '{"a": [1, 2.5, "é"], "b": null}'.encode())
    assert safe_json.read_json(p) == {"a": [1, 2.5, "é"], "b": None}


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    p = _write(tmp_path, b"\xef\xbb\xbf" + b'{"a": 1}')
    assert safe_json.read_json(p) == {"a": 1}


def test_broken_json_names_line_and_column(tmp_path: Path) -> None:
    p = _write(tmp_path, b'{\n  "a": 1,\n  "b": [1, 2\n}\n', "broken.json")
    with pytest.raises(InputError) as info:
        safe_json.read_json(p)
    msg = str(info.value)
    assert msg.startswith("broken.json: line 4, column 1: broken JSON")
    assert "\n" not in msg


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_rejected(tmp_path: Path, constant: str) -> None:
    p = _write(tmp_path, f'{{"lon": {constant}}}'.encode())
    with pytest.raises(InputError, match="finite number"):
        safe_json.read_json(p)


def test_invalid_utf8_is_reported_with_its_line(tmp_path: Path) -> None:
    p = _write(tmp_path, b'{\n"name": "caf\xe9"\n}', "latin1.json")
    with pytest.raises(InputError) as info:
        safe_json.read_json(p)
    assert str(info.value) == (
        "latin1.json: line 2: expected UTF-8 text, found an invalid byte 0xe9"
    )


def test_utf16_is_named(tmp_path: Path) -> None:
    p = _write(tmp_path, '{"a": 1}'.encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        safe_json.read_json(p)


def test_size_cap(tmp_path: Path) -> None:
    p = _write(tmp_path, b"[" + b"1," * 600 + b"1]")
    with pytest.raises(InputError, match="larger than"):
        safe_json.read_json(p, max_bytes=1000)
    assert len(safe_json.read_json(p, max_bytes=2000)) == 601


def test_nesting_cap_is_enforced_without_recursion_errors(tmp_path: Path) -> None:
    p = _write(tmp_path, b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(InputError, match="nested at most 64 deep"):
        safe_json.read_json(p)
    ok = _write(tmp_path, b"[" * 64 + b"]" * 64, "ok.json")
    assert safe_json.read_json(ok) == _nested(64)


def _nested(depth: int) -> object:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    p = _write(tmp_path, ('{"s": "' + "[" * 500 + '\\"{{"}').encode())
    assert safe_json.read_json(p) == {"s": "[" * 500 + '"{{'}


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    p = _write(tmp_path, b'{"a": 1, "a": 2}')
    with pytest.raises(InputError, match="duplicate key 'a'"):
        safe_json.read_json(p)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        safe_json.read_json(tmp_path / "nope.json")
    with pytest.raises(InputError, match="regular file"):
        safe_json.read_json(tmp_path)


def test_atomic_write_round_trip_and_no_temporary_left(tmp_path: Path) -> None:
    p = tmp_path / "out.json"
    safe_json.write_json(p, {"x": [1.5, "é"]})
    assert safe_json.read_json(p) == {"x": [1.5, "é"]}
    assert [f.name for f in tmp_path.iterdir()] == ["out.json"]
    with pytest.raises(ValueError):
        safe_json.write_json(p, {"x": float("nan")})
    assert safe_json.read_json(p) == {"x": [1.5, "é"]}
    assert [f.name for f in tmp_path.iterdir()] == ["out.json"]


def test_writing_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder does not exist"):
        safe_json.write_json(tmp_path / "no" / "out.json", {})
