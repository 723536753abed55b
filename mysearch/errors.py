"""Errors a person can act on. The CLI prints their message as one line; the UI shows it in words."""


class MySearchError(Exception):
    """Base for every error we expect and explain."""


class ConfigError(MySearchError):
    """A setting name or value is wrong."""


class StoreBusy(MySearchError):
    """Another mysearch process owns the store; writing now would corrupt it or give stale results."""


class ModelError(MySearchError):
    """A model is missing, unreadable or does not match what the index was built with."""
