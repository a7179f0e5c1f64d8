"""assets/static-html.js (the StaticHtml drawer) refuses script addresses in any URL prop, as
Dash's own html.A does, and never passes raw HTML: run in Node against a stub React."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "static-html.js"

HARNESS = """
global.window = {React: {createElement: (t, p, ...c) => ({t, p, c}), Fragment: "F"}};
eval(require("fs").readFileSync(process.argv[1], "utf8"));
const tree = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(window.cxdash.StaticHtml({tree})));
"""


def draw(tree: list[object]) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed (scripts/setup installs it for the OIDC test provider)")
    result = subprocess.run(
        [node, "-e", HARNESS, str(SCRIPT)],
        input=json.dumps(tree),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(result.stdout)["c"]


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        " JaVa\tScRiPt:alert(1)",
        "\u0001javascript:x",
        "vbscript:x",
        "data:text/html,<b>",
    ],
)
def test_a_script_address_is_dropped(address):
    drawn = draw([{"t": "a", "p": {"href": address, "className": "x"}, "c": ["link"]}])
    assert "href" not in drawn[0]["p"]
    assert drawn[0]["p"]["className"] == "x"
    assert drawn[0]["c"] == ["link"]


@pytest.mark.parametrize(
    "address",
    [
        "/agency/dmv?lang=es",
        "https://dmv.example.gov/",
        "#contact",
        "mailto:a@b.gov",
        "tel:+15035550100",
    ],
)
def test_ordinary_addresses_are_kept(address):
    assert draw([{"t": "a", "p": {"href": address}, "c": ["x"]}])[0]["p"]["href"] == address


def test_raw_html_props_never_pass():
    drawn = draw([{"t": "div", "p": {"dangerouslySetInnerHTML": {"__html": "<img onerror=x>"}}}])
    assert "dangerouslySetInnerHTML" not in drawn[0]["p"]
    # Text stays text: React escapes it.
    assert draw(["<script>alert(1)</script>"]) == ["<script>alert(1)</script>"]
