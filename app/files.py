"""What people upload, made harmless before it is stored.

- Images (an inspector's photo, a scanned identity document): accepted by what they are
  (JPEG or PNG, read by Pillow, whatever the file is called), bounded in bytes and pixels
  (a decompression bomb is refused before it is decoded), and re-encoded from their
  pixels alone, so no EXIF block (GPS position, camera, owner), PNG text chunk or trailing
  data is stored. The camera's orientation is applied first.
- PDFs: read by pypdf; one that carries JavaScript, embedded files, launch actions or
  forms that run code is refused, as is one that cannot be read.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from app.errors import InvalidInput, TooLarge, UnsupportedType

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}

MAX_PIXELS = 40_000_000  # a 40-megapixel camera; larger is refused before decoding
MAX_SIDE = (
    2560  # stored images are scaled down to this (a notice on a wall, an ID card stay legible)
)


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    media_type: str
    width: int
    height: int


def clean_image(content: bytes, *, max_bytes: int) -> CleanImage:
    """The image re-encoded without metadata; TooLarge, UnsupportedType or InvalidInput
    for anything else."""
    if len(content) > max_bytes:
        raise TooLarge(
            "image_too_large",
            f"An image may be at most {max_bytes // (1024 * 1024)} MB.",
            details={"max_bytes": max_bytes},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise TooLarge(
                    "image_too_large",
                    "The image has too many pixels.",
                    details={"max_pixels": MAX_PIXELS, "max_bytes": max_bytes},
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge(
            "image_too_large",
            "The image has too many pixels.",
            details={"max_pixels": MAX_PIXELS, "max_bytes": max_bytes},
        ) from None
    except UnidentifiedImageError:
        raise UnsupportedType("image_type", "An image must be a JPEG or PNG file.") from None
    except (OSError, SyntaxError, ValueError):
        raise InvalidInput("unreadable_image", "The image could not be read.") from None
    # Some phone cameras write a JPEG with extra pictures (Pillow reads it as MPO); its
    # first picture is the photo.
    kind = "JPEG" if image.format == "MPO" else (image.format or "")
    if kind not in FORMATS:
        raise UnsupportedType("image_type", "An image must be a JPEG or PNG file.")
    upright = ImageOps.exif_transpose(image) or image
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    # A new image from the pixels alone: nothing of the original's metadata comes along.
    mode = "RGB" if kind == "JPEG" else ("RGBA" if "A" in upright.getbands() else "RGB")
    pixels = upright.convert(mode)
    bare = Image.new(mode, pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    if kind == "JPEG":
        bare.save(out, format="JPEG", quality=85, optimize=True)
    else:
        bare.save(out, format="PNG", optimize=True)
    return CleanImage(out.getvalue(), FORMATS[kind], bare.width, bare.height)


# Names in a PDF that make it do something when opened: scripts, attachments, launching
# programs, multimedia and XFA forms.
ACTIVE_PDF_NAMES = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/Launch",
        "/RichMedia",
        "/XFA",
        "/OpenAction",
        "/AA",
    }
)


def check_pdf(content: bytes) -> None:
    """Refuse a PDF that cannot be read or carries active content (UnsupportedType)."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise UnsupportedType(
                "pdf_encrypted", "A PDF with a password cannot be accepted. Save it without one."
            )
        for number, generation in _object_ids(reader):
            found = reader.get_object(IndirectObject(number, generation, reader))
            if isinstance(found, DictionaryObject) and ACTIVE_PDF_NAMES & set(found.keys()):
                raise UnsupportedType(
                    "pdf_active_content",
                    "This PDF contains scripts, attachments or actions. Print it to a new "
                    "PDF (or scan it) and upload that.",
                )
    except UnsupportedType:
        raise
    except Exception:  # pypdf raises many kinds of error on a damaged or hostile file
        raise InvalidInput(
            "unreadable_pdf", "The PDF could not be read. Save it again and retry."
        ) from None


def _object_ids(reader: PdfReader) -> list[tuple[int, int]]:
    ids: list[tuple[int, int]] = []
    for generation, numbers in reader.xref.items():
        ids += [(number, generation) for number in numbers]
    ids += [(number, 0) for number in reader.xref_objStm]
    return ids
