"""Issue 8, end to end: a realistic service-standards file, imported, read back on every page.

tests/fixtures/service_standards_realistic.csv (five departments, several standards per
service, quarterly met and total volumes, "ND" cells, cells with more met than received) is
imported with ``cxdash import --publish`` through the shipped mapping
data/mappings/service_standards_canada.toml on the Canadian fiscal calendar. Then the home
page, every department's page and the review are built, and their figures are compared with
what this test computes from the CSV file itself with pandas, following the documented
rules (/methodology, "Agencies, their services and the enterprise"; docs: issue 8 D4/D5):

- the period shown is the latest fiscal quarter in which the file has a result;
- a standard's result is met volume / total volume for that quarter; "ND", a zero volume or
  an impossible cell (more met than received: the mapping's ``on_invalid``) is NOT
  reported, never a zero or a miss; its target is the file's target for that fiscal year;
  it met when result >= target (compared exactly, as fractions);
- no department publishes a figure of its own, so each department's cell is the roll-up of
  its standards ("n of m service standards met", over the standards that reported) and the
  enterprise counts each standard once; a department with no standard in a dimension counts
  once, as not reported (:func:`dashboard.domain.service_rollup.enterprise_units`);
- the review's "Did not report" lists the standards with no result in the quarter that had
  one in at least one of the 4 quarters before (the rule the review page states).

Nothing expected here is copied from the importer's or the pages' output.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd
import pytest
from click.testing import CliRunner

from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.review import REVIEW_DIMENSIONS, Quarter
from dashboard.domain.targets import Status
from dashboard.gateway import queries
from dashboard.infra import db
from dashboard.infra.db import session_scope
from dashboard.infra.models import Base, Unit
from dashboard.views import agency as agency_view
from dashboard.views import home as home_view
from dashboard.views import review as review_view
from dashboard.web.pages import PageContext
from data.commands import import_command
from tests.conftest import new_postgres_database
from tests.integration.test_service_standards_realistic import (
    FIXTURE,
    MAPPING,
    UNIT_NAME_LIMIT,
    read_expected,
    volume,
)

#: The lookback of the review's "Did not report" (the review note and the table's caption:
#: "Measures reported in the past year but not in <quarter>").
LOOKBACK_QUARTERS = 4


# -- the store -------------------------------------------------------------------------------


def _import(url: str) -> str:
    Base.metadata.create_all(db.get_engine(url))
    with session_scope(url) as session:
        session.add(Unit(slug="gc", kind="enterprise", name_en="Government of Canada"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("FISCAL_YEAR_START_MONTH", "4")
        patch.setenv("FISCAL_YEAR_LABEL_STYLE", "canada")
        result = CliRunner().invoke(
            import_command,
            [str(FIXTURE), "--mapping", str(MAPPING), "--publish", "--format", "json"],
        )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{") :])
    assert report["ok"], report
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request, tmp_path_factory) -> Iterator[str]:
    """The realistic file imported once per database (the tests only read it)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('realistic_e2e') / 'store.sqlite3'}"
        yield _import(url)
        db.get_engine(url).dispose()
    else:
        with new_postgres_database("cxdash_realistic_e2e") as url:
            yield _import(url)


def _settings(url: str) -> Settings:
    return Settings(database_url=url, fiscal_year_start_month=4, fiscal_year_label_style="canada")


def _context(settings: Settings, path: str) -> PageContext:
    return PageContext(language="en", path=path, query={}, settings=settings)


# -- what the file says, computed with pandas ------------------------------------------------


def exact_share(text: str) -> Fraction:
    """ "80%" -> 4/5, "0.8" -> 4/5: a target as the file writes it, exactly."""
    text = text.strip()
    return Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)


def unit_name(service: str, standard: str) -> str:
    """The mapping's ``name_en = "{service_name_en}: {service_std_en}"``, blanks collapsed,
    cut to a unit name's length with "…" (``long_text = "truncate"``)."""
    name = " ".join(f"{service}: {standard}".split())
    return name if len(name) <= UNIT_NAME_LIMIT else name[: UNIT_NAME_LIMIT - 1] + "…"


def file_results() -> pd.DataFrame:
    """One row per standard, fiscal year and quarter, from the CSV file and the mapping."""
    mapping = tomllib.loads(MAPPING.read_text(encoding="utf-8"))
    records = []
    for row in read_expected().itertuples(index=False):
        code = mapping["lookup"]["metric"][row.service_std_type]
        metric = mapping["metrics"][code]
        for quarter in range(1, 5):
            met = volume(getattr(row, f"q{quarter}_result"))
            total = volume(getattr(row, f"q{quarter}_volume"))
            # "ND", nothing received, or more met than received: not reported.
            reported = met is not None and total is not None and total > 0 and met <= total
            records.append(
                {
                    "department": row.department_name_en,
                    "service": unit_name(row.service_name_en, row.service_std_en),
                    "metric": code,
                    "metric_name": metric["name_en"],
                    "dimension": metric["dimension"],
                    "year_label": row.fiscal_yr,
                    "fiscal_year": int(row.fiscal_yr[-4:]),  # "2023-2024" ends in 2024
                    "quarter": quarter,
                    "target": exact_share(row.service_std_target),
                    "promise": row.service_std_en,
                    "result": Fraction(met, total) if reported else None,
                }
            )
    results = pd.DataFrame(records)
    results["reported"] = results["result"].notna()
    results["met"] = [
        result is not None and result >= target
        for result, target in zip(results["result"], results["target"], strict=True)
    ]
    results["status"] = [
        Status.NOT_REPORTED if not reported else Status.MET if met else Status.NOT_MET
        for reported, met in zip(results["reported"], results["met"], strict=True)
    ]
    return results


def latest_quarter(results: pd.DataFrame) -> tuple[int, int]:
    reported = results[results["reported"]]
    return max(zip(reported["fiscal_year"], reported["quarter"], strict=True))


def quarters_before(fiscal_year: int, quarter: int, count: int) -> list[tuple[int, int]]:
    before = []
    for _ in range(count):
        fiscal_year, quarter = (fiscal_year, quarter - 1) if quarter > 1 else (fiscal_year - 1, 4)
        before.append((fiscal_year, quarter))
    return before


def percent_text(count: int, total: int) -> str:
    """count / total in percent, one decimal, half up ("43.8%")."""
    value = (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value}%"


def standard_label(row) -> str:
    return f"{row.service} ({row.metric_name})"


class Expected:
    """Every figure the pages should show for the latest quarter, from :func:`file_results`."""

    def __init__(self) -> None:
        results = file_results()
        self.results = results
        self.fiscal_year, self.quarter = latest_quarter(results)
        in_quarter = (results["fiscal_year"] == self.fiscal_year) & (
            results["quarter"] == self.quarter
        )
        # The standards of the quarter: each has the file's target for the fiscal year.
        self.now = results[in_quarter].reset_index(drop=True)
        self.year_label = self.now["year_label"].iloc[0]
        self.period_label = f"{self.year_label} Q{self.quarter}"
        self.departments = sorted(results["department"].unique())
        self.dimensions = sorted(results["dimension"].unique())
        counts = (
            self.now.assign(judged=self.now["reported"])  # every target here is numeric
            .groupby(["department", "dimension"])
            .agg(
                met=("met", "sum"),
                judged=("judged", "sum"),
                reported=("reported", "sum"),
                standards=("service", "size"),
            )
        )
        self.counts = {key: tuple(int(v) for v in row) for key, row in counts.iterrows()}

    def rollup_status(self, department: str, dimension: str) -> Status:
        met, judged, _reported, _standards = self.counts[(department, dimension)]
        if judged > met:
            return Status.NOT_MET
        return Status.MET if met else Status.NOT_REPORTED

    def cells(self) -> dict[tuple[str, str], tuple]:
        """(department, dimension) -> (status, (met, judged), (reported, standards)); a
        department without standards in the dimension: not reported, no roll-up."""
        cells = {}
        for department in self.departments:
            for dimension in self.dimensions:
                if (department, dimension) not in self.counts:
                    cells[(department, dimension)] = (Status.NOT_REPORTED, None, None)
                    continue
                met, judged, reported, standards = self.counts[(department, dimension)]
                cells[(department, dimension)] = (
                    self.rollup_status(department, dimension),
                    (met, judged),
                    (reported, standards),
                )
        return cells

    def rollup_lines(self, department: str, dimension: str) -> list[str]:
        met, judged, reported, standards = self.counts[(department, dimension)]
        first = (
            f"{met} of {judged} service standards met ({percent_text(met, judged)})"
            if judged
            else "No service standard reported against a numeric target"
        )
        return [first, f"{reported} of {standards} service standards reported"]

    def enterprise(self, dimension: str) -> dict:
        """Each standard counts once; a department with none in the dimension counts once,
        as not reported."""
        mine = self.now[self.now["dimension"] == dimension]
        # Home names the silent standards by department: "Health Canada (3 service
        # standards)"; the standards themselves are listed on each department's page.
        silent_per_department = mine[~mine["reported"]].groupby("department").size()
        silent = [
            f"{department} ({count} service standard{'s' if count > 1 else ''})"
            for department, count in silent_per_department.items()
        ]
        without = [d for d in self.departments if d not in set(mine["department"])]
        units = len(mine) + len(without)
        return {
            "met": (int(mine["met"].sum()), int(mine["reported"].sum())),
            "reported": (int(mine["reported"].sum()), units),
            "not_reported": sorted(silent + without),
        }

    def coverage(self, dimension: str) -> int:
        """Departments with any result in the dimension in the fiscal year shown."""
        year = self.results[
            (self.results["fiscal_year"] == self.fiscal_year)
            & (self.results["dimension"] == dimension)
            & self.results["reported"]
        ]
        return year["department"].nunique()

    def home_summary(self, dimension: str) -> dict:
        figures = self.enterprise(dimension)
        met, judged = figures["met"]
        reported, units = figures["reported"]
        first = (
            f"{met} of {judged} met, {percent_text(met, judged)}"
            if judged
            else "No agency or service standard could be judged against a numeric target"
        )
        return {
            **figures,
            "lines": [
                first,
                f"{reported} of {units} reported",
                f"{self.coverage(dimension)} of {len(self.departments)} measure {dimension} "
                f"in {self.year_label}",
            ],
        }

    def silent_in_review(self) -> list[tuple[str, str, str]]:
        """(department, service, metric) of the standards of review dimensions with no
        result this quarter: the ones the overview counts as not reported (issue 13: the
        review names the same ones, each with the quarter it last reported)."""
        silent = self.now[~self.now["reported"] & self.now["dimension"].isin(REVIEW_DIMENSIONS)]
        return sorted(zip(silent["department"], silent["service"], silent["metric"], strict=True))

    def without_standards(self, dimensions: list[str]) -> list[tuple[str, str]]:
        """(department, dimension) of the departments with no standard in a dimension: the
        overview counts each once, as not reported, and so does the review."""
        return sorted(
            (department, dimension)
            for dimension in dimensions
            for department in self.departments
            if department not in set(self.now[self.now["dimension"] == dimension]["department"])
        )


@pytest.fixture(scope="module")
def expected() -> Expected:
    figures = Expected()
    # The file is what the brief says it is: the checks below would prove little otherwise.
    assert len(figures.departments) == 5 and len(figures.dimensions) == 3
    assert figures.now["status"].value_counts().to_dict().keys() == {
        Status.MET,
        Status.NOT_MET,
        Status.NOT_REPORTED,
    }
    return figures


def _slugs(url: str) -> dict[str, str]:
    """Department name -> its slug in the store (identifiers, not figures)."""
    return {u["name_en"]: u["slug"] for u in queries.units(url) if u["kind"] == "agency"}


# -- home ------------------------------------------------------------------------------------


def test_home_shows_the_latest_quarter_rolled_up_from_the_files_standards(store, expected):
    settings = _settings(store)
    home = home_view.build(store, settings, Route("home"), {}, "en")
    assert home.has_data
    assert home.period_label == expected.period_label

    summaries = {
        s.dimension: {
            "met": (s.met.count, s.met.total),
            "reported": (s.reported.count, s.reported.total),
            "not_reported": sorted(s.not_reported),
            "lines": s.lines,
        }
        for s in home.summaries
    }
    assert summaries == {dim: expected.home_summary(dim) for dim in expected.dimensions}

    cells = {
        (row.name, dim): (
            cell.status,
            None if cell.rollup is None else (cell.rollup.met.count, cell.rollup.met.total),
            None
            if cell.rollup is None
            else (cell.rollup.reported.count, cell.rollup.reported.total),
        )
        for row in home.rows
        for dim, cell in row.cells.items()
    }
    assert cells == expected.cells()
    lines = {
        (row.name, dim): cell.rollup.lines("en")
        for row in home.rows
        for dim, cell in row.cells.items()
        if cell.rollup is not None
    }
    assert lines == {key: expected.rollup_lines(*key) for key in expected.counts}

    from layouts.home import layout

    page = str(layout(home, _context(settings, "/")))
    for dim in expected.dimensions:
        for line in expected.home_summary(dim)["lines"][:2]:
            assert line in page, line
    for key in expected.counts:
        assert expected.rollup_lines(*key)[0] in page, key


# -- each department's page -------------------------------------------------------------------


def _shown_number(text: str) -> tuple[float, int]:
    """ "94.05%" -> (94.05, 2)."""
    match = re.fullmatch(r"(\d+(?:\.(\d+))?)%", text)
    assert match, text
    return float(match.group(1)), len(match.group(2) or "")


def test_each_department_page_lists_its_standards_latest_results(store, expected):
    settings = _settings(store)
    slugs = _slugs(store)
    assert set(slugs) == set(expected.departments)
    for department in expected.departments:
        page = agency_view.build(
            store, settings, Route("agency", {"agency": slugs[department]}), {}, "en"
        )
        mine = expected.now[expected.now["department"] == department]

        summaries = {
            s.dimension: (s.text, s.reported_text, sorted(s.not_reported))
            for s in page.service_summaries
        }
        want = {}
        for dim, group in mine.groupby("dimension"):
            met, judged, reported, standards = expected.counts[(department, dim)]
            want[dim] = (
                f"{met} of {judged} service standards met in {expected.period_label}"
                if judged
                else f"No service standard reported against a numeric target in "
                f"{expected.period_label}",
                f"{reported} of {standards} service standards reported",
                sorted(standard_label(r) for r in group[~group["reported"]].itertuples()),
            )
        assert summaries == want, department

        levels = {
            (item.service_name, item.metric_code): (
                item.promise,
                item.target_text,
                item.status,
                item.period_label,
            )
            for item in page.service_levels
        }
        assert levels == {
            (row.service, row.metric): (
                row.promise,
                f"≥ {float(row.target * 100):g}%",
                row.status,
                expected.period_label,
            )
            for row in mine.itertuples()
        }, department

        # Each result as displayed: the file's share to the displayed precision (one decimal
        # for a percentage, a trailing zero dropped, more decimals only where one would
        # contradict the status), and never a figure that contradicts its status.
        values = {(i.service_name, i.metric_code): i.value_text for i in page.service_levels}
        for row in mine.itertuples():
            shown = values[(row.service, row.metric)]
            if row.result is None:
                assert shown == "Not reported", (department, row.service)
                continue
            number, decimals = _shown_number(shown)
            exact = float(row.result * 100)
            assert abs(number - exact) <= 0.5 * 10 ** -max(decimals, 1) + 1e-9, (shown, exact)
            assert (Fraction(shown[:-1]) >= row.target * 100) == row.met, (shown, row.target)


# -- the review --------------------------------------------------------------------------------


def test_review_of_the_latest_quarter_rolls_up_and_names_who_did_not_report(store, expected):
    settings = _settings(store)
    review = review_view.build(store, settings, Route("review"), {}, "en")
    assert review.has_data and not review.annual
    assert review.quarter == Quarter(expected.fiscal_year, expected.quarter)
    assert review.quarter_label == expected.period_label
    dims = [d for d in expected.dimensions if d in REVIEW_DIMENSIONS]
    assert dims  # "access" is not a review dimension (accuracy, responsiveness, ...)

    summaries = {
        s.dimension: {
            "met": (s.met.count, s.met.total),
            "reported": (s.reported.count, s.reported.total),
            "lines": s.lines,
        }
        for s in review.summaries
    }
    want = {}
    for dim in dims:
        home = expected.home_summary(dim)
        # A share of standards met is not compared between quarters: no movers.
        lines = [*home["lines"][:2], "0 improved, 0 declined"]
        want[dim] = {"met": home["met"], "reported": home["reported"], "lines": lines}
    assert summaries == want

    cells = {
        (row.agency_name, row.dimension): (
            row.this.status,
            None
            if row.this.rollup is None
            else (row.this.rollup.met.count, row.this.rollup.met.total),
            None
            if row.this.rollup is None
            else (row.this.rollup.reported.count, row.this.rollup.reported.total),
        )
        for row in review.rows
    }
    all_cells = expected.cells()
    assert cells == {key: value for key, value in all_cells.items() if key[1] in dims}
    assert sorted((m.row.agency_name, m.row.dimension) for m in review.missed) == sorted(
        key for key, value in all_cells.items() if key[1] in dims and value[0] == Status.NOT_MET
    )

    # "Did not report", as on the overview: no department publishes a figure of its own, so
    # the silent standards, and each department with no standard in a dimension.
    assert sorted((r.agency_name, r.dimension) for r in review.not_reported) == (
        expected.without_standards(dims)
    )
    silent = sorted(
        (s.row.agency_name, s.standard.service_name, s.standard.metric.code)
        for s in review.not_reported_standards
    )
    assert silent == expected.silent_in_review()

    from layouts.review import layout

    page = str(layout(review, _context(settings, "/review")))
    for department, service, _metric in expected.silent_in_review():
        assert f"{service}, {department}" in page
