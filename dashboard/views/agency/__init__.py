"""The agency page (``/agency/<slug>``) and the service page (``/agency/<agency>/<service>``).

One builder serves both: a service page is an agency page for a service, with a breadcrumb
back to its agency and no list of services. Query parameters (every view is a permalink):

- ``metric``: a metric code the unit publishes; the page then shows only that metric's trend
  (and its breakdown), with a link back to all metrics. An unknown code is a 404.
- ``period``: a fiscal year ("FY2025"; "AF2025" and the other written forms are accepted)
  with published results for the unit. It limits every trend chart, breakdown and service
  sparkline to that fiscal year's periods and the actions taken in it. The posted service
  levels always show the latest result: they are today's promises, not history.
- ``segment``: "channel", "language" or "customer_group": the breakdown charts for that
  segment type (by default the page lists which breakdowns exist, as links, rather than
  drawing them all, to keep the first load light). An unknown segment type is a 404.

Upcoming closures are those that have not ended by the day the view is built (the wall-clock
date, not the data's as-of date, so that people see closures that are still ahead of them;
cached views live at most ``cache_default_timeout`` seconds). Tests fix the day with
``Settings(extra={"today": date})``.

Published data only: every loader here filters drafts, and internal notes are never read.

The package, along its seams: :mod:`.text` (words), :mod:`.model` (the dataclasses the layout
renders), :mod:`.loading` (published rows and the shared chart context), :mod:`.panels` (trend
charts and breakdowns), :mod:`.sections` (service levels, services, contacts) and
:mod:`.build` (the page from its route and query).
"""

from dashboard.views.agency.build import build
from dashboard.views.agency.model import (
    ActionItem,
    AgencyView,
    ClosureItem,
    ContactGroup,
    ContactItem,
    FeedbackExcerpt,
    MetricPanel,
    Option,
    PromiseItem,
    ServiceItem,
    ServiceLevelItem,
    ServiceSummary,
    charts,
)
from dashboard.views.agency.panels import action_hover
from dashboard.views.agency.sections import contact_href
from dashboard.views.agency.text import channel_name, language_name, segment_value_name

__all__ = [
    "ActionItem",
    "AgencyView",
    "ClosureItem",
    "ContactGroup",
    "ContactItem",
    "FeedbackExcerpt",
    "MetricPanel",
    "Option",
    "PromiseItem",
    "ServiceItem",
    "ServiceLevelItem",
    "ServiceSummary",
    "action_hover",
    "build",
    "channel_name",
    "charts",
    "contact_href",
    "language_name",
    "segment_value_name",
]
