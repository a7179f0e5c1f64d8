"""What a chart export is made of: sizes, cache keys, file names and a page's ZIP.

Plain functions of their arguments (no request, no cache, no browser): ``callbacks.exports``
reads the request, renders through :mod:`dashboard.infra.exports` and answers; this module decides
what the answer holds. Errors carry no words for people; the glue says them in the request's
language.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence

from dashboard.domain.charts import ChartSpec
from dashboard.infra.exports import ExportError

IMAGE_FORMATS = ("png", "svg", "pdf")
#: PNG pixels per CSS pixel: sharp on high-density screens and in print.
PNG_SCALE = 2.0
#: Bounds of the optional ``width`` and ``height`` query parameters (CSS pixels).
MIN_SIZE, MAX_SIZE = 300, 2000
#: A ZIP renders many images: it counts as this many exports against the rate limit.
ZIP_COST = 5
#: Largest ZIP the server builds.
MAX_ZIP_BYTES = 100 * 1024 * 1024
#: Query parameters that size the image; they are not part of the page's permalink.
SIZE_PARAMS = ("width", "height")

#: (chart, format) -> the image's bytes.
Render = Callable[[ChartSpec, str], bytes]
#: chart -> its CSV's bytes.
ChartCsv = Callable[[ChartSpec], bytes]
#: (charts done, charts in all): called before the first chart and after each one.
Progress = Callable[[int, int], None]


class BadSize(ValueError):
    """``width`` or ``height`` is not a whole number from MIN_SIZE to MAX_SIZE."""


class ZipTooLarge(ValueError):
    """The page's files add up to more than the ZIP may hold."""


def parse_size(args: Mapping[str, str], default: tuple[int, int]) -> tuple[int, int]:
    """(width, height) in CSS pixels from the query; a missing or empty one is its default."""
    values = []
    for name, fallback in zip(SIZE_PARAMS, default, strict=True):
        raw = args.get(name)
        if raw is None or raw == "":
            values.append(fallback)
        elif raw.isdigit() and MIN_SIZE <= int(raw) <= MAX_SIZE:
            values.append(int(raw))
        else:
            raise BadSize(f"{name}={raw!r}")
    return values[0], values[1]


def page_args(args: Mapping[str, str]) -> dict[str, str]:
    """The page's own parameters: the request's, without the image size."""
    return {key: value for key, value in args.items() if key not in SIZE_PARAMS}


def image_cache_key(
    permalink: str, chart_id: str, fmt: str, width: int, height: int, version: str
) -> str:
    """Where a rendered image is cached: its URL (host, page, query), size and data version.

    The permalink is part of the key because the image prints it; the data version changes
    whenever anything is published, so a cached image is never stale.
    """
    parts = [permalink, chart_id, fmt, f"{width}x{height}", version]
    return "export:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def png_scale(fmt: str) -> float:
    return PNG_SCALE if fmt == "png" else 1.0


def csv_bytes(spec: ChartSpec) -> bytes:
    """The chart's numbers as CSV, with a byte-order mark so spreadsheets read the accents."""
    return ("\ufeff" + spec.csv_text()).encode("utf-8")


def file_stems(charts: Iterable[ChartSpec]) -> list[str]:
    """A file name stem per chart; a stem already taken gets the chart id appended."""
    stems: list[str] = []
    for spec in charts:
        taken = spec.file_stem in stems
        stems.append(f"{spec.file_stem}_{spec.chart_id}" if taken else spec.file_stem)
    return stems


def chart_files(
    spec: ChartSpec, stem: str, render: Render, csv_of: ChartCsv = csv_bytes
) -> list[tuple[str, bytes]]:
    """(file name, bytes) of one chart: its image in every format, then its CSV."""
    files = [(f"{stem}.{fmt}", render(spec, fmt)) for fmt in IMAGE_FORMATS]
    files.append((f"{stem}.csv", csv_of(spec)))
    return files


def compression(name: str) -> int:
    """SVG and CSV are deflated; PNG and PDF are compressed already and are stored."""
    return zipfile.ZIP_DEFLATED if name.endswith((".svg", ".csv")) else zipfile.ZIP_STORED


def build_zip(
    charts: Sequence[ChartSpec],
    render: Render,
    manifest_head: Sequence[str],
    *,
    time_limit_s: float,
    max_bytes: int = MAX_ZIP_BYTES,
    clock: Callable[[], float] = time.monotonic,
    csv_of: ChartCsv = csv_bytes,
    progress: Progress | None = None,
) -> tuple[bytes, list[str]]:
    """(ZIP bytes, names of the files in it): every chart's files and a README.txt.

    The README is ``manifest_head`` followed by a line per chart naming its files. Raises
    :class:`ZipTooLarge` past ``max_bytes`` and :class:`ExportError` when making the images
    takes longer than ``time_limit_s`` in all (each image has its own limit too). ``progress``
    hears (charts done, charts in all) before the first chart and after each.
    """
    deadline = clock() + time_limit_s
    buffer = io.BytesIO()
    names: list[str] = []
    manifest = list(manifest_head)
    total = 0
    if progress is not None:
        progress(0, len(charts))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (spec, stem) in enumerate(zip(charts, file_stems(charts), strict=True)):
            if clock() > deadline:
                raise ExportError(
                    "Making this page's images took too long; download the charts one by one."
                )
            files = chart_files(spec, stem, render, csv_of)
            for name, body in files:
                total += len(body)
                if total > max_bytes:
                    raise ZipTooLarge(f"more than {max_bytes} bytes")
                archive.writestr(name, body, compress_type=compression(name))
                names.append(name)
            manifest.append(f"- {spec.title}: {', '.join(name for name, _ in files)}")
            if progress is not None:
                progress(index + 1, len(charts))
        archive.writestr("README.txt", "\n".join(manifest) + "\n")
    return buffer.getvalue(), ["README.txt", *names]
