"""Shared test helpers: signed-in clients and the Playwright browser fixtures."""
