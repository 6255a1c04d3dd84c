#!/usr/bin/env python3
"""Regenerates the app icon's PNG, ICO and ICNS files from recuperador-followups.svg.

Needs `rsvg-convert` (Debian: librsvg2-bin) and Python's standard library only: the ICO and
ICNS containers are written here, both holding PNG images. The generated files are committed,
so building the app never needs this script; run it after editing the SVG:

    python3 assets/icon/generate.py
"""

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = "recuperador-followups"
SVG = HERE / f"{NAME}.svg"

# The freedesktop hicolor sizes; the same PNGs feed the Windows and macOS containers.
PNG_SIZES = [16, 22, 24, 32, 48, 64, 128, 256, 512]
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
# ICNS element types holding PNG data, and the pixel size each one holds.
ICNS_TYPES = [
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),  # 512 pt @2x
    (b"ic11", 32),  # 16 pt @2x
    (b"ic12", 64),  # 32 pt @2x
    (b"ic13", 256),  # 128 pt @2x
    (b"ic14", 512),  # 256 pt @2x
]


def render(size: int, out: Path) -> bytes:
    """Renders the SVG to a square PNG of `size` pixels and returns its bytes."""
    subprocess.run(
        ["rsvg-convert", "--width", str(size), "--height", str(size), "--output", str(out), str(SVG)],
        check=True,
    )
    return out.read_bytes()


def ico(images: dict[int, bytes]) -> bytes:
    """An ICO file with one PNG entry per size (read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    directory, data = b"", b""
    for size, png in sorted(images.items()):
        # A size of 256 is written as 0 in the one-byte width and height fields.
        side = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + directory + data


def icns(elements: list[tuple[bytes, bytes]]) -> bytes:
    """An ICNS file whose elements are PNG images (read by macOS 10.7 and later)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(png)) + png for kind, png in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    if shutil.which("rsvg-convert") is None:
        print("rsvg-convert not found: apt-get install librsvg2-bin", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        cache: dict[int, bytes] = {}

        def png(size: int) -> bytes:
            if size not in cache:
                cache[size] = render(size, Path(tmp) / f"{size}.png")
            return cache[size]

        for size in PNG_SIZES:
            (HERE / f"{NAME}-{size}.png").write_bytes(png(size))
        (HERE / f"{NAME}.ico").write_bytes(ico({size: png(size) for size in ICO_SIZES}))
        (HERE / f"{NAME}.icns").write_bytes(icns([(kind, png(size)) for kind, size in ICNS_TYPES]))
    print(f"wrote {len(PNG_SIZES)} PNGs, {NAME}.ico and {NAME}.icns in {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
