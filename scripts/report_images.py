"""Screenshot sections of a built report for the docs (docs/images/).

Usage::

    python scripts/report_images.py REPORT.html SECTION_ID [SECTION_ID ...] --out docs/images \
        --prefix sna

Opens the report's HTML in Debian's Chromium (``apt-get install chromium``) through Playwright
and writes one PNG per section (``<prefix>-<section id>.png``), cut at ``--height`` pixels so
long sections stay readable in the docs.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="a report's HTML file, as built by vrhub")
    parser.add_argument("sections", nargs="+", help="section ids (the report's #anchors)")
    parser.add_argument("--out", type=Path, default=Path("docs/images"), help="folder for PNGs")
    parser.add_argument("--prefix", default="sna", help="file names start with this")
    parser.add_argument("--height", type=int, default=1400, help="largest height in pixels")
    args = parser.parse_args()
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        raise SystemExit("Chromium is needed: apt-get install -y chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(args.report.resolve().as_uri())
        page.wait_for_load_state("networkidle")
        for sid in args.sections:
            box = page.locator(f"section#{sid}").bounding_box()
            if box is None:
                raise SystemExit(f"{args.report.name} has no section '{sid}'")
            clip = {**box, "height": min(box["height"], args.height)}
            path = args.out / f"{args.prefix}-{sid}.png"
            page.screenshot(path=str(path), clip=clip, full_page=True)
            print(f"wrote {path}")
        browser.close()


if __name__ == "__main__":
    main()
