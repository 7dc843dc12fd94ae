"""The errors a user can fix: each carries one line saying what is wrong and how to fix it."""


class CakraError(Exception):
    """A mistake in configuration, an SOP file or a sheet that the user can fix.

    The CLI prints ``str(error)`` as one line and exits non-zero; no traceback.
    """


class ConfigError(CakraError):
    """The configuration file is missing, unreadable or has a wrong key/value."""


class SopError(CakraError):
    """The SOP file does not describe a valid workflow."""


class SheetError(CakraError):
    """A tab or header the service needs is missing, or the sheet service refused a request."""
