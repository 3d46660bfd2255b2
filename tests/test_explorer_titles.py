"""A JSON record's title is its link text, however long: only ASCII runs are ids."""

from __future__ import annotations

from govbudget.crawler.families.explorer_json import documents, title_of


def test_a_long_chinese_title_is_the_records_title() -> None:
    record = {"docId": "nb-hbj-2023", "docTitle": "宁波市海曙区环保局2023年部门预算公开说明",
              "fileUrl": "/upload/a.pdf", "publishTime": "2023-02-15"}
    assert title_of(record) == "宁波市海曙区环保局2023年部门预算公开说明"
    [doc] = documents({"data": {"records": [record]}}, "http://portal.example/list/")
    assert doc.text == "宁波市海曙区环保局2023年部门预算公开说明" and doc.file


def test_an_ascii_id_is_still_no_title() -> None:
    record = {"id": "3f2a9c1e7b6d4a0f9e8d", "name": "财政局2024年部门预算", "url": "/f/a.pdf"}
    assert title_of(record) == "财政局2024年部门预算"
    assert title_of({"uuid": "0123456789abcdef0123"}) == ""
