"""A small reader of the PDFs Qt writes, for tests: pages in order and the text of each page.

It understands what QPdfWriter produces (uncompressed or Flate content streams, Type0 fonts with
ToUnicode maps, glyphs shown with ``<hex> Tj``); it is not a general PDF parser.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)\r?\nendstream\s*$", re.S)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    out: dict[int, tuple[bytes, bytes | None]] = {}
    for m in _OBJ.finditer(data):
        body = m.group(2)
        s = _STREAM.match(body)
        if s is None:
            out[int(m.group(1))] = (body, None)
            continue
        head, raw = s.group(1), s.group(2)
        if b"/FlateDecode" in head:
            raw = zlib.decompress(raw)
        out[int(m.group(1))] = (head, raw)
    return out


def _cmap(text: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(rb"<(\w+)>\s*<(\w+)>\s*(\[[^\]]*\]|<\w+>)", block):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                for i, h in enumerate(re.findall(rb"<(\w+)>", dst)):
                    out[lo_i + i] = bytes.fromhex(h.decode()).decode("utf-16-be")
            else:
                start = int(dst[1:-1], 16)
                for i in range(hi_i - lo_i + 1):
                    out[lo_i + i] = chr(start + i)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<(\w+)>\s*<(\w+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    return out


def _ref(head: bytes, key: bytes) -> int | None:
    m = re.search(rb"/" + key + rb"\s+(\d+) 0 R", head)
    return int(m.group(1)) if m else None


def page_texts(data: bytes) -> list[str]:
    """The text of every page, in page order (glyphs concatenated, ligatures unfolded)."""
    objs = _objects(data)
    pages = [n for n, (head, _) in objs.items() if re.search(rb"/Type\s*/Page\b", head)]
    order = {n: i for i, n in enumerate(pages)}
    kids = next((re.findall(rb"(\d+) 0 R", m.group(1)) for _, (h, _) in objs.items()
                 if (m := re.search(rb"/Type\s*/Pages.*?/Kids\s*\[(.*?)\]", h, re.S))), None)
    if kids:
        pages = [int(k) for k in kids if int(k) in order]
    texts = []
    for n in pages:
        head = objs[n][0]
        res_n = _ref(head, b"Resources")
        res = objs[res_n][0] if res_n is not None else head
        fonts: dict[bytes, dict[int, str]] = {}
        fm = re.search(rb"/Font\s*<<(.*?)>>", res, re.S)
        for name, num in re.findall(rb"/(\w+)\s+(\d+) 0 R", fm.group(1) if fm else b""):
            fhead = objs.get(int(num), (b"", None))[0]
            tu = _ref(fhead, b"ToUnicode")
            if tu is not None and objs[tu][1] is not None:
                fonts[name] = _cmap(objs[tu][1] or b"")
        content_n = _ref(head, b"Contents")
        content = objs[content_n][1] or b"" if content_n is not None else b""
        chars: list[str] = []
        current: dict[int, str] = {}
        for m in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]+)>\s*Tj", content):
            if m.group(1) is not None:
                current = fonts.get(m.group(1), {})
            else:
                h = m.group(2).decode()
                for i in range(0, len(h), 4):
                    chars.append(current.get(int(h[i:i + 4], 16), "?"))
        texts.append(unicodedata.normalize("NFKC", "".join(chars)).replace("\t", " "))
    return texts


def page_count(data: bytes) -> int:
    """Pages by counting '/Type /Page' objects (not '/Pages')."""
    return len(re.findall(rb"/Type\s*/Page\b", data))
