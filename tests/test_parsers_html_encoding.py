"""decode_html: the encoding of a page from its bytes (BOM, then declaration, then UTF-8, then GB18030)."""

from __future__ import annotations

import pytest

from govbudget.parsers.readers.html import decode_html

GBK_ONLY = "朱镕基 陶喆 堃"  # characters of GBK that GB2312 lacks, common on pages that declare GB2312
TEXT = f"2024年部门预算 一般公共预算财政拨款支出表 {GBK_ONLY}"


def _page(meta: str = "", body: str = TEXT) -> str:
    return f"<html><head>{meta}<title>预算</title></head><body><p>{body}</p></body></html>"


def test_gb2312_declared_page_with_gbk_only_characters() -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    assert decode_html(_page(meta).encode("gbk")) == _page(meta)


def test_gbk_declared_page_with_gb18030_characters() -> None:
    meta, body = '<meta charset="GBK">', f"{TEXT} 𠀀 ḿ"  # a four-byte sequence, and A8BC
    assert decode_html(_page(meta, body).encode("gb18030")) == _page(meta, body)


def test_xml_declaration_names_the_encoding() -> None:
    page = f'<?xml version="1.0" encoding="gb2312"?>{_page()}'
    assert decode_html(page.encode("gbk")) == page


@pytest.mark.parametrize("page", [_page(), "<td>合计</td>", "<td>单位：万元</td>"])
def test_undeclared_gbk_page_is_gb18030(page: str) -> None:
    assert decode_html(page.encode("gbk")) == page  # byte statistics would call the short ones Korean


def test_undeclared_utf8_page() -> None:
    assert decode_html(_page().encode("utf-8")) == _page()


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_unknown_charset_label_is_ignored(encoding: str) -> None:
    page = _page('<meta charset="x-bogus">')
    assert decode_html(page.encode(encoding)) == page


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")],
)
def test_byte_order_mark_wins_and_is_dropped(bom: bytes, encoding: str) -> None:
    page = _page('<meta charset="gbk">')  # the BOM is trusted over the declaration
    assert decode_html(bom + page.encode(encoding)) == page


def test_declaration_after_a_long_head() -> None:
    page = "<html><head><script>" + "var a = 1;" * 600 + "</script>" + _page('<meta charset="gb2312">')
    assert decode_html(page.encode("gbk")) == page
