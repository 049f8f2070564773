"""The installers' icons: every size present and readable by a real decoder (Qt's own)."""

import struct

import pytest

from app.window.icon_files import ICNS_TYPES, ICO_SIZES, PNG_SIZES, ico_bytes, write_icons


@pytest.fixture(scope="module")
def icons(tmp_path_factory, qapp):
    return write_icons(tmp_path_factory.mktemp("icons"))


def _all_images(path):
    from PySide6.QtGui import QImageReader

    reader = QImageReader(str(path))
    assert reader.canRead(), f"{path.name}: {reader.errorString()}"
    images = []
    for i in range(reader.imageCount()):
        assert reader.jumpToImage(i)
        image = reader.read()
        assert not image.isNull(), f"{path.name} image {i}: {reader.errorString()}"
        images.append(image)
    return images


def test_ico_holds_every_windows_size(icons):
    images = _all_images(icons["ico"])
    assert [im.width() for im in images] == list(ICO_SIZES)
    assert all(im.width() == im.height() for im in images)


def test_icns_holds_every_macos_type(icons):
    raw = icons["icns"].read_bytes()
    assert raw[:4] == b"icns"
    assert struct.unpack(">I", raw[4:8])[0] == len(raw)
    images = _all_images(icons["icns"])
    assert [im.width() for im in images] == [size for _, size in ICNS_TYPES]


def test_pngs_are_the_drawing_on_a_transparent_ground(icons):
    from PySide6.QtGui import QImage

    for size in PNG_SIZES:
        image = QImage(str(icons[f"png{size}"]))
        assert (image.width(), image.height()) == (size, size)
        # The drawing leaves the corners empty and fills the middle with the rack's blue.
        assert image.pixelColor(0, 0).alpha() == 0
        middle = image.pixelColor(size // 2, size // 2)
        assert middle.alpha() == 255 and middle.blue() > middle.red()


def test_ico_refuses_a_size_the_format_cannot_hold():
    with pytest.raises(ValueError, match="1 to 256"):
        ico_bytes({512: b"png"})


def test_unreadable_svg_is_named(tmp_path, qapp):
    bad = tmp_path / "broken.svg"
    bad.write_text("<svg", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.svg"):
        write_icons(tmp_path / "out", svg=bad)
