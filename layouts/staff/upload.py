"""Upload a results file: check it (dry run), see its problems in the page, save as drafts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.staff.shell import table

#: "No mapping" (dbc.Select keeps "" for its placeholder option).
NO_MAPPING = "none"
PROBLEM_COLUMNS = (
    ("file", "File"),
    ("row", "Row"),
    ("column", "Column"),
    ("value", "Value"),
    ("reason", "Reason"),
)
COUNT_WORDS = {
    "rows_read": "Rows read",
    "rows_inserted": "New figures",
    "rows_revised": "Revised figures",
    "rows_unchanged": "Unchanged figures",
}


def layout(
    agencies: Sequence[tuple[str, str]],
    chosen_agency: str | None,
    mappings: Sequence[tuple[str, str]],
    max_mb: int,
) -> list:
    """``agencies``: (slug, name) the member works for; ``mappings``: (value, label)."""
    agency = chosen_agency if chosen_agency in {slug for slug, _ in agencies} else None
    if agency is None and agencies:
        agency = agencies[0][0]
    return [
        html.H1("Upload a results file"),
        html.P(
            "Check a file first: every problem is listed below with its row, column and value, "
            "and nothing is saved until the whole file is clean. A clean file is saved as "
            "drafts, which a publisher then reviews and publishes."
        ),
        dbc.Row(
            [
                dbc.Col(
                    [
                        dbc.Label("Agency", html_for="upload-agency"),
                        dbc.Select(
                            id="upload-agency",
                            options=[{"label": name, "value": slug} for slug, name in agencies],
                            value=agency,
                            required=True,
                        ),
                    ],
                    md=6,
                    className="mb-3",
                ),
                dbc.Col(
                    [
                        dbc.Label(
                            "Mapping (how the file's columns are read)", html_for="upload-mapping"
                        ),
                        dbc.Select(
                            id="upload-mapping",
                            options=[
                                {
                                    "label": "None: the file uses cxdash's own columns",
                                    "value": NO_MAPPING,
                                },
                                *({"label": label, "value": value} for value, label in mappings),
                            ],
                            value=NO_MAPPING,
                        ),
                        html.Div(
                            "Or upload your own mapping (a TOML file) below; it replaces the "
                            "choice above.",
                            className="form-text",
                            id="upload-mapping-help",
                        ),
                    ],
                    md=6,
                    className="mb-3",
                ),
            ]
        ),
        html.Div(
            [
                html.P(
                    "Results file (CSV or XLSX)",
                    className="form-label mb-1",
                    id="upload-file-label",
                ),
                html.Div(
                    dcc.Upload(
                        id="upload-file",
                        accept=".csv,.xlsx",
                        children=html.Div(
                            [
                                "Drag the file here, or ",
                                html.Span("choose a file", className="text-decoration-underline"),
                                f" (at most {max_mb} MB).",
                            ]
                        ),
                        className="staff-upload",
                    ),
                    **{"data-file-label": "Results file (CSV or XLSX)"},  # type: ignore[arg-type]
                ),
                html.P("No file chosen.", id="upload-file-name", className="form-text mb-0"),
            ],
            className="mb-3",
        ),
        html.Div(
            [
                html.P("Mapping file (TOML, optional)", className="form-label mb-1"),
                html.Div(
                    dcc.Upload(
                        id="upload-mapping-file",
                        accept=".toml",
                        children=html.Div(
                            [
                                "Drag a mapping here, or ",
                                html.Span("choose one", className="text-decoration-underline"),
                                ".",
                            ]
                        ),
                        className="staff-upload",
                    ),
                    **{"data-file-label": "Mapping file (TOML, optional)"},  # type: ignore[arg-type]
                ),
                html.P(
                    "No mapping file chosen.", id="upload-mapping-name", className="form-text mb-0"
                ),
            ],
            className="mb-3",
        ),
        html.Div(
            [
                dbc.Label("Reason for revising published figures", html_for="upload-reason"),
                dbc.Textarea(id="upload-reason", rows=2, maxlength=2000),
                html.Div(
                    "Required when the file changes figures already published; it is shown "
                    "to the public beside each revised figure.",
                    className="form-text",
                ),
            ],
            className="mb-3",
        ),
        html.Div(
            [
                dbc.Button("Check file", id="upload-check", color="primary", n_clicks=0),
                dbc.Button(
                    "Save as drafts",
                    id="upload-save",
                    color="success",
                    n_clicks=0,
                    disabled=True,
                ),
            ],
            className="d-flex flex-wrap gap-2 mb-3",
        ),
        dcc.Store(id="upload-clean"),
        dcc.Loading(
            html.Div(id="upload-result", **{"aria-live": "polite"}),  # type: ignore[arg-type]
            type="circle",
            # The spinner is announced too: a long file takes a while.
            custom_spinner=html.Div(
                [dbc.Spinner(size="sm"), html.Span(" Working on the file…", className="ms-2")],
                role="status",
            ),
        ),
    ]


def file_name_text(name: str | None) -> str:
    return f"Chosen: {name}" if name else "No file chosen."


def result(
    *,
    ok: bool,
    dry_run: bool,
    message: str,
    problems: Sequence[Mapping[str, str]],
    counts: Mapping[str, int],
) -> list:
    """The report of a check or a save, in the page."""
    parts: list[Any] = [
        html.H2("Result of the check" if dry_run else "Result", className="h4 mt-2"),
        dbc.Alert(message, color="success" if ok else "danger", id="upload-message"),
    ]
    if counts:
        parts.append(
            html.Dl(
                [
                    item
                    for key, value in counts.items()
                    for item in (
                        html.Dt(COUNT_WORDS.get(key, key.replace("_", " ").capitalize())),
                        html.Dd(str(value)),
                    )
                ],
                className="staff-counts",
                id="upload-counts",
            )
        )
    if problems:
        parts.append(
            table(
                PROBLEM_COLUMNS,
                [dict(problem) for problem in problems],
                caption=f"Problems in the file ({len(problems)})",
                table_id="upload-problems",
            )
        )
    return parts
