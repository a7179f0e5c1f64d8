"""The review pack is printed in the chart images' warm browser, and by a Chromium of its
own when that fails (issue 13: starting a Chromium was a third of a warm pack's time)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.infra import exports
from dashboard.views import review_pack
from tests.conftest import IN_CI

pytestmark = pytest.mark.skipif(
    not Path(review_pack.CHROMIUM).exists() and not IN_CI,
    reason="Debian's chromium is not installed",
)

#: Two sheets of the pack's size: the CSS page size and the page break are kept.
DOCUMENT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pack</title>
<style>@page { size: 297mm 210mm; margin: 10mm; } .sheet + .sheet { break-before: page; }
</style></head><body><div class="sheet">Summary</div><div class="sheet">Parks</div></body></html>
"""


def test_the_warm_browser_prints_the_document_with_its_page_size(tmp_path):
    source = tmp_path / "pack.html"
    source.write_text(DOCUMENT, encoding="utf-8")
    pdf = exports.print_html(str(source), timeout_s=60)
    assert pdf.startswith(b"%PDF")
    assert review_pack.count_pages(pdf) == 2
    # Landscape A4 (842 × 595 points), as the CSS asks, not the printer's default Letter.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(round(float(w)) == 842 and round(float(h)) == 595 for w, h in boxes)


def test_printing_falls_back_to_a_chromium_of_its_own(monkeypatch):
    asked: list[str] = []

    def broken(path: str, *, timeout_s: float) -> bytes:
        asked.append(path)
        raise exports.ExportError("the browser is gone")

    monkeypatch.setattr(exports, "print_html", broken)
    pdf = review_pack.print_pdf(DOCUMENT, timeout_s=60)
    assert asked and pdf.startswith(b"%PDF")
    assert review_pack.count_pages(pdf) == 2
