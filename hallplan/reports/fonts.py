"""Fonts for charts with Chinese labels.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs: a chart labelled in Chinese
would show empty boxes. hallplan depends on ``noto-cjk-sans-otc`` (PyPI, SIL Open Font
License), which ships the Noto Sans CJK collection as package data, so ``pip install .`` is
enough on any machine — no system font package, no download at run time. When that package
is missing, a system CJK font matplotlib already knows (Noto/Source Han Sans SC, WenQuanYi,
…) is used instead; with neither, :func:`chart_fonts` raises a clear error rather than
drawing boxes.

Nothing is configured on import: :func:`chart_fonts` is a context manager around building
*and* saving a figure (``matplotlib.rc_context``), with DejaVu Sans first (Latin, digits)
and the CJK family as matplotlib's per-glyph fallback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache

import matplotlib
from matplotlib import font_manager

from hallplan.i18n import check_lang

#: the family the shipped collection registers for Simplified Chinese
PACKAGED_FAMILY = "Noto Sans CJK SC"
#: system families tried when the packaged font is not installed, in order
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)


class CJKFontMissing(RuntimeError):
    """No font with Chinese glyphs could be found."""


def _known_families() -> set[str]:
    return {f.name for f in font_manager.fontManager.ttflist}


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """The family name to use for Chinese text (registering the packaged font once)."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        noto_cjk_sans_otc = None
    if noto_cjk_sans_otc is not None:
        path = str(noto_cjk_sans_otc.FONT_PATH)
        if PACKAGED_FAMILY not in _known_families():
            font_manager.fontManager.addfont(path)
        if PACKAGED_FAMILY in _known_families():
            return PACKAGED_FAMILY
    known = _known_families()
    for family in SYSTEM_FAMILIES:
        if family in known:
            return family
    raise CJKFontMissing(
        "charts in Chinese need a CJK font: install the package noto-cjk-sans-otc "
        "(pip install noto-cjk-sans-otc) or a system font such as fonts-noto-cjk"
    )


def rc_for(lang: str) -> dict:
    """The matplotlib settings for charts in ``lang`` (empty for English)."""
    if check_lang(lang) == "en":
        return {}
    return {
        "font.family": ["DejaVu Sans", cjk_family()],
        "axes.unicode_minus": False,
    }


@contextlib.contextmanager
def chart_fonts(lang: str) -> Iterator[None]:
    """Build and save figures inside this block so their text renders in ``lang``."""
    with matplotlib.rc_context(rc_for(lang)):
        yield


__all__ = ["PACKAGED_FAMILY", "CJKFontMissing", "chart_fonts", "cjk_family", "rc_for"]
