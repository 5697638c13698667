"""The organ's emblem from site_config/ (issue #12 item 6): in the header and as the favicon,
only as a raster PNG / JPEG / WebP without metadata (GK121), the theme's neutral SVG otherwise."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, PngImagePlugin

from gkpublish.public import public_view
from gkpublish.site import emblem
from gkpublish.site.pages import build_site
from tests.conftest import AS_OF, PROJECT
from tests.test_site_build import build_into, demo_like_site, page

SECRET = "作者张三手机13800000000"


def picture(fmt: str = "PNG", size: tuple[int, int] = (64, 64), **save) -> bytes:
    im = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((2, 2, size[0] - 2, size[1] - 2), fill=(158, 27, 36, 255))
    if fmt == "JPEG":
        im = im.convert("RGB")
    out = io.BytesIO()
    im.save(out, fmt, **save)
    return out.getvalue()


def png_chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def with_png_chunk(data: bytes, ctype: bytes, body: bytes, at: int = 33) -> bytes:
    """``data`` with one more chunk after the IHDR (at byte 33) or at the chunk boundary ``at``."""
    return data[:at] + png_chunk(ctype, body) + data[at:]


# -- GK121 ---------------------------------------------------------------------------------------

def test_the_demo_emblem_passes():
    data = (PROJECT / "site_config" / "emblem.png").read_bytes()
    found = emblem.inspect("site_config/emblem.png", data)
    assert (found.ext, found.width, found.height) == ("png", 128, 128)


@pytest.mark.parametrize("name,fmt", [("emblem.png", "PNG"), ("emblem.jpg", "JPEG"), ("emblem.jpeg", "JPEG"),
                                      ("emblem.webp", "WEBP")])
def test_a_plain_raster_emblem_passes(site, name, fmt):
    site.write(f"site_config/{name}", picture(fmt))
    assert "GK121" not in site.check().ids
    assert public_view(site.load()).emblem is not None


def _exif_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = SECRET  # Artist
    return picture("JPEG", exif=exif)


def _text_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    return picture("PNG", pnginfo=info)


BAD = {
    "SVG": ("emblem.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG 可以携带脚本"),
    "SVG named .png": ("emblem.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "不是 PNG、JPEG 或 WebP"),
    "GIF": ("emblem.gif", picture("GIF"), "GIF 会动"),
    "PNG with a text chunk": ("emblem.png", _text_png(), "文字说明"),
    "PNG with EXIF": ("emblem.png", with_png_chunk(picture(), b"eXIf", SECRET.encode()), "EXIF"),
    "PNG with an unknown chunk": ("emblem.png", with_png_chunk(picture(), b"prIv", SECRET.encode()), "图像数据以外"),
    "PNG with bytes after IEND": ("emblem.png", picture() + SECRET.encode(), "IEND"),
    "PNG with bytes after its pixels": ("emblem.png", None, "图像数据与图像尺寸不符"),
    "JPEG with EXIF": ("emblem.jpg", _exif_jpeg(), "EXIF 或 XMP"),
    "JPEG with a comment": ("emblem.jpg", picture("JPEG", comment=SECRET.encode()), "注释"),
    "WebP with EXIF": ("emblem.webp", picture("WEBP", exif=b"Exif\x00\x00" + SECRET.encode()), "EXIF"),
    "PNG named .jpg": ("emblem.jpg", picture(), "扩展名却是 .jpg"),
    "too many pixels": ("emblem.png", picture(size=(2000, 40)), "2000×40 像素"),
    "too small": ("emblem.png", picture(size=(8, 8)), "8×8 像素"),
    "too large a file": ("emblem.png", b"\x89PNG\r\n\x1a\n" + bytes(emblem.MAX_BYTES), "超过机关标志的上限"),
}


def _png_with_extra_pixel_bytes() -> bytes:
    """IDAT whose zlib stream is followed by other bytes (a payload inside the pixel chunk)."""
    w = h = 16
    raw = b"".join(b"\x00" + b"\xff" * w for _ in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (emblem.PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw) + SECRET.encode())
            + png_chunk(b"IEND", b""))


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_emblem_is_gk121_naming_the_file_and_the_fix(site, case):
    name, data, expected = BAD[case]
    data = data if data is not None else _png_with_extra_pixel_bytes()
    site.write(f"site_config/{name}", data)
    found = site.check().of("GK121")
    assert [f.path for f in found] == [f"site_config/{name}"], case
    assert expected in found[0].message and "请" in found[0].message
    assert public_view(site.load()).emblem is None  # never published, even where the gate is bypassed


def test_two_emblem_files_are_one_too_many(site):
    site.write("site_config/emblem.png", picture())
    site.write("site_config/emblem.webp", picture("WEBP"))
    found = site.check().of("GK121")
    assert len(found) == 1 and "只能有一个机关标志文件" in found[0].message


def test_no_emblem_file_is_no_finding(site):
    assert "GK121" not in site.check().ids
    assert public_view(site.load()).emblem is None


# -- property: a metadata carrier in any place of the file is refused ------------------------------

_CARRIERS = st.sampled_from([b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME", b"iCCP", b"cHRM", b"pHYs", b"bKGD",
                             b"sBIT", b"prIv", b"xmpX", b"acTL", b"tRNS", b"PLTE", b"gAMA", b"sRGB", b"IDAT"])
_BASE_PNG = picture()
_BOUNDARIES = []
_at = 8
while _at < len(_BASE_PNG):
    _BOUNDARIES.append(_at)
    _at += 12 + struct.unpack(">I", _BASE_PNG[_at:_at + 4])[0]
_BOUNDARIES.append(len(_BASE_PNG))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ctype=_CARRIERS, where=st.sampled_from(_BOUNDARIES[1:]), pad=st.binary(max_size=8))
@example(ctype=b"IDAT", where=_BOUNDARIES[-2], pad=b"")  # a second IDAT: the payload continues the pixels
def test_a_payload_in_any_png_chunk_anywhere_is_refused(ctype, where, pad):
    """Whatever chunk type carries the payload and wherever it is put, the emblem is refused:
    either the chunk is not an image-data chunk, or its length/contents are not the image's."""
    data = _BASE_PNG[:where] + png_chunk(ctype, pad + SECRET.encode()) + _BASE_PNG[where:]
    with pytest.raises(emblem.EmblemProblem):
        emblem.inspect("site_config/emblem.png", data)


_SEGMENTS = st.sampled_from([0xE1, 0xE2, 0xED, 0xEE, 0xFE, 0xE0, 0xE5, 0xEF])


@settings(max_examples=100, deadline=None)
@given(marker=_SEGMENTS, pad=st.binary(max_size=8), fmt=st.sampled_from(["JPEG", "JPEG-progressive"]),
       trailing=st.booleans())
def test_a_payload_in_any_jpeg_segment_or_after_the_end_is_refused(marker, pad, fmt, trailing):
    base = picture("JPEG", progressive=fmt.endswith("progressive"))
    body = pad + SECRET.encode()
    if trailing:
        data = base + body
    else:
        data = base[:2] + b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body + base[2:]
    with pytest.raises(emblem.EmblemProblem):
        emblem.inspect("site_config/emblem.jpg", data)


@settings(max_examples=150, deadline=None)
@given(fmt=st.sampled_from(["PNG", "JPEG", "WEBP"]), flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)),
                                                                  min_size=1, max_size=4),
       cut=st.one_of(st.none(), st.integers(0, 10_000)))
def test_a_damaged_emblem_is_a_message_never_a_traceback(fmt, flips, cut):
    data = bytearray(picture(fmt))
    for at, value in flips:
        data[at % len(data)] = value
    if cut is not None:
        del data[cut % len(data):]
    ext = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[fmt]
    try:
        found = emblem.inspect(f"site_config/emblem.{ext}", bytes(data))
    except emblem.EmblemProblem as exc:
        assert "请" in str(exc)
    else:
        assert found.data == bytes(data) and found.ext == ext


# -- the built site --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_with_emblem(tmp_path_factory) -> tuple[Path, bytes]:
    root = tmp_path_factory.mktemp("emblem") / "repo"
    data = (PROJECT / "site_config" / "emblem.png").read_bytes()
    site = demo_like_site(root)
    site.write("site_config/emblem.png", data)
    site.sign_config()
    out = root.parent / "public"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    return out, data


def test_the_emblem_is_in_the_header_and_the_favicon(built_with_emblem):
    out, data = built_with_emblem
    assert (out / "assets/gkpublish/emblem.png").read_bytes() == data  # the signed bytes, as they are
    home, item = page(out, ""), page(out, "zcwj/2022-37")
    assert '<link rel="icon" href="assets/gkpublish/emblem.png">' in home
    assert '<img src="assets/gkpublish/emblem.png" alt="' in home
    assert '<img src="../../assets/gkpublish/emblem.png" alt="' in item
    assert 'class="gk-emblem"' not in home  # not the fallback
    manifest = json.loads((out / "gkpublish-manifest.json").read_text(encoding="utf-8"))["files"]
    assert manifest["assets/gkpublish/emblem.png"]["kind"] == "emblem"


def test_without_an_emblem_the_neutral_svg_stays(site):
    site.item("gzdt/a.md")
    bundle = build_site(public_view(site.load()), {}, AS_OF)
    assert not [f for f in bundle.files if f.kind == "emblem"]
    assert 'class="gk-emblem"' in (PROJECT / "gkpublish/site/theme/partials/logo.html").read_text(encoding="utf-8")


def test_a_bad_emblem_stops_the_build(tmp_path):
    site = demo_like_site(tmp_path / "repo")
    site.write("site_config/emblem.png", _text_png())
    site.sign_config()
    rc, stdout, stderr = build_into(site, tmp_path / "public")
    assert rc != 0 and "GK121" in stdout + stderr and "site_config/emblem.png" in stdout + stderr
    assert not (tmp_path / "public").exists()


def test_verify_site_accepts_only_the_checked_emblem(site):
    from gkpublish.site.verify import Verifier

    site.write("site_config/emblem.png", picture())
    repo = site.load()
    view = public_view(repo)
    verifier = Verifier(repo, view)
    assert verifier.content_leaks("assets/gkpublish/emblem.png", view.emblem.data, "emblem") == []
    other = verifier.content_leaks("assets/gkpublish/emblem.png", _text_png(), "emblem")
    assert len(other) == 1 and "GK121" in other[0].reason
