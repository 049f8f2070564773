"""The app icon as installers want it: PNGs for Linux desktops, .ico for Windows, .icns for macOS.

All three are rendered from `resources/icons/app.svg` at build time (`build.spec` runs
`python -m app.window.icon_files OUT_DIR`), so the drawing has one source and no binary copies are
committed. The .ico and .icns containers hold PNG images, which Windows (Vista on) and macOS
(10.7 on) read at every size; writing them ourselves saves a Pillow or iconutil dependency
that would exist on one platform only.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

from planner_core.resources import resource_path

#: Sizes Windows picks from for title bars, the taskbar, Explorer views and the installer.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: macOS icon types that hold PNG data, by pixel size (Apple's "icns" type codes).
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256),
              ("ic09", 512), ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256),
              ("ic14", 512))
#: PNG sizes installed into the freedesktop hicolor theme by the .deb.
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)


def _ensure_gui_app():
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        # A build machine has no screen; rendering an SVG into an image needs none.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["icon_files"])
    return app


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn into a transparent size×size image, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _ensure_gui_app()
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a readable SVG image")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG image")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG per size (ICONDIR, then 16-byte entries, then data)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f"an .ico image is 1 to 256 pixels, not {size}")
        blob = pngs[size]
        side = 0 if size == 256 else size  # the format writes 256 as 0
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns: the 'icns' header, then (type, length, PNG) for every type we have."""
    body = b""
    for code, size in ICNS_TYPES:
        if size in pngs:
            blob = pngs[size]
            body += code.encode("ascii") + struct.pack(">I", 8 + len(blob)) + blob
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(out_dir: Path, svg: Path | None = None) -> dict[str, Path]:
    """Writes app.ico, app.icns and app-SIZE.png for every size into out_dir."""
    svg = svg or resource_path("icons", "app.svg")
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(ICO_SIZES) | {s for _, s in ICNS_TYPES} | set(PNG_SIZES))
    pngs = {size: render_png(svg, size) for size in sizes}
    written: dict[str, Path] = {}
    for size in PNG_SIZES:
        path = out_dir / f"app-{size}.png"
        path.write_bytes(pngs[size])
        written[f"png{size}"] = path
    written["ico"] = out_dir / "app.ico"
    written["ico"].write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    written["icns"] = out_dir / "app.icns"
    written["icns"].write_bytes(icns_bytes(pngs))
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m app.window.icon_files OUT_DIR", file=sys.stderr)
        return 2
    for path in write_icons(Path(args[0])).values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
