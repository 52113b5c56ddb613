"""Photos from a visit: accepted by what they are (JPEG or PNG, read by Pillow, whatever
the file is called), bounded in bytes and pixels, and re-encoded from their pixels alone,
so no EXIF block (GPS position, camera, owner), PNG text chunk or trailing data is stored.
The camera's orientation is applied first, so a photo stays the right way up."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import InvalidInput, TooLarge, UnsupportedType

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}

MAX_PIXELS = 40_000_000  # a 40-megapixel camera; larger is refused before decoding
MAX_SIDE = 2560  # stored photos are scaled down to this (enough to read a notice on a wall)


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    media_type: str
    width: int
    height: int


def clean(content: bytes, *, max_bytes: int) -> CleanPhoto:
    """The photo re-encoded without metadata; TooLarge, UnsupportedType or InvalidInput
    for anything else."""
    if len(content) > max_bytes:
        raise TooLarge(
            "photo_too_large",
            f"A photo may be at most {max_bytes // (1024 * 1024)} MB.",
            details={"max_bytes": max_bytes},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise TooLarge(
                    "photo_too_large",
                    "The photo has too many pixels.",
                    details={"max_pixels": MAX_PIXELS, "max_bytes": max_bytes},
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge(
            "photo_too_large",
            "The photo has too many pixels.",
            details={"max_pixels": MAX_PIXELS, "max_bytes": max_bytes},
        ) from None
    except UnidentifiedImageError:
        raise UnsupportedType("photo_type", "A photo must be a JPEG or PNG image.") from None
    except (OSError, SyntaxError, ValueError):
        raise InvalidInput("unreadable_photo", "The photo could not be read.") from None
    # Some phone cameras write a JPEG with extra pictures (Pillow reads it as MPO); its
    # first picture is the photo.
    kind = "JPEG" if image.format == "MPO" else (image.format or "")
    if kind not in FORMATS:
        raise UnsupportedType("photo_type", "A photo must be a JPEG or PNG image.")
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
    return CleanPhoto(out.getvalue(), FORMATS[kind], bare.width, bare.height)
