"""The foundation every layer may use: settings (the one place the environment is read), the
deployment's languages, interface text (gettext catalogues) and the URL scheme. Imports nothing
else of cxdash. See docs/architecture.md."""
