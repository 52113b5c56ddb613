"""Which glyphs a PDF really draws, read back from the file: for every text-showing operator,
the font and the glyph id it names, checked against the embedded font program (fontTools).

A character no font of the stack has is drawn as glyph 0 (`.notdef`, the empty box):
WeasyPrint maps it to CID 0 in the font's encoding CMap. `missing_glyphs` lists every such
glyph (and any id beyond the embedded font's glyphs), so a test can require none.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

_CIDCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s+(\d+)")
_CIDRANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s+(\d+)")
_SECTION = re.compile(rb"begincid(char|range)(.*?)endcid\1", re.S)


@dataclass(frozen=True)
class DrawnGlyph:
    font: str  # the embedded font's family, e.g. "Noto Sans Thai UI" (bold or not)
    glyph_id: int
    known: bool  # False: .notdef or an id the embedded font does not have


def family(base_font: str) -> str:
    """`/ABCDEF+Noto-Sans-Thai-UI` -> `Noto Sans Thai UI` (the subset tag dropped)."""
    name = base_font.lstrip("/").split("+", 1)[-1]
    return name.replace("-", " ")


class _Font:
    def __init__(self, font: Any) -> None:
        self.name = family(str(font["/BaseFont"]))
        self.cids: dict[int, int] | None = None  # None: Identity-H
        encoding = font.get("/Encoding")
        if encoding is not None and not isinstance(encoding.get_object(), str):
            self.cids = _read_cmap(encoding.get_object().get_data())
        self.glyph_count = 0
        self.cid_to_gid: bytes | None = None
        descendants = font.get("/DescendantFonts")
        if descendants is None:  # a simple font: WeasyPrint does not write them
            return
        cid_font = descendants[0].get_object()
        mapping = cid_font.get("/CIDToGIDMap")
        if mapping is not None and not isinstance(mapping.get_object(), str):
            self.cid_to_gid = mapping.get_object().get_data()
        descriptor = cid_font["/FontDescriptor"].get_object()
        if "/FontFamily" in descriptor:  # "Noto Sans Thai UI", whatever the weight
            self.name = str(descriptor["/FontFamily"])
        program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        if program is not None:
            self.glyph_count = TTFont(io.BytesIO(program.get_object().get_data()))["maxp"].numGlyphs

    def glyphs(self, data: bytes) -> list[DrawnGlyph]:
        found = []
        for index in range(0, len(data) - 1, 2):
            code = int.from_bytes(data[index : index + 2], "big")
            cid = code if self.cids is None else self.cids.get(code, 0)
            gid = cid
            if self.cid_to_gid is not None:
                gid = int.from_bytes(self.cid_to_gid[2 * cid : 2 * cid + 2], "big")
            found.append(DrawnGlyph(self.name, gid, 0 < gid < self.glyph_count))
        return found


def _read_cmap(data: bytes) -> dict[int, int]:
    cids: dict[int, int] = {}
    for kind, body in _SECTION.findall(data):
        if kind == b"char":
            for code, cid in _CIDCHAR.findall(body):
                cids[int(code, 16)] = int(cid)
        else:
            for low, high, first in _CIDRANGE.findall(body):
                for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    cids[code] = int(first) + offset
    return cids


def _drawn(reader: PdfReader, contents: Any, resources: Any) -> list[DrawnGlyph]:
    fonts = {
        str(name): _Font(ref.get_object())
        for name, ref in (resources.get("/Font") or {}).get_object().items()
    }
    found: list[DrawnGlyph] = []
    current: _Font | None = None
    for operands, operator in ContentStream(contents, reader).operations:
        if operator == b"Tf":
            current = fonts[str(operands[0])]
        elif operator in (b"Tj", b"'", b'"', b"TJ") and current is not None:
            items = operands[0] if operator == b"TJ" else [operands[-1]]
            for item in items:
                if isinstance(item, bytes):  # a hex string, as WeasyPrint writes them
                    found += current.glyphs(bytes(item))
                elif isinstance(item, str):  # a string pypdf decoded as text
                    found += current.glyphs(getattr(item, "original_bytes", b""))
        elif operator == b"Do":
            xobject = resources["/XObject"][operands[0]].get_object()
            if xobject.get("/Subtype") == "/Form":
                found += _drawn(reader, xobject, xobject.get("/Resources") or resources)
    return found


def drawn_glyphs(pdf: bytes) -> list[DrawnGlyph]:
    reader = PdfReader(io.BytesIO(pdf))
    found: list[DrawnGlyph] = []
    for page in reader.pages:
        found += _drawn(reader, page.get_contents(), page["/Resources"].get_object())
    return found


def missing_glyphs(pdf: bytes) -> list[DrawnGlyph]:
    return [glyph for glyph in drawn_glyphs(pdf) if not glyph.known]


def css_font_stack(css: str) -> list[str]:
    """The families of the first `font-family` declaration on `html` in a stylesheet."""
    match = re.search(r"html\s*\{[^}]*font-family:\s*([^;]+);", css)
    assert match, "no font-family on html"
    return [name.strip().strip('"').strip("'") for name in match.group(1).split(",")]
