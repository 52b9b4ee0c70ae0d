"""sitegen: one portal and every department's sub-site, built from Markdown under one theme."""

__version__ = "0.1.0"
