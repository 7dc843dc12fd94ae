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


class SheetBusy(SheetError):
    """Someone else holds or changed the sheet since the cycle read it: the write is left to the next
    cycle (the status tab is a projection of the ledger, so nothing is lost by waiting). The backend
    logs it, once per occurrence (an office lock file: once while it stays)."""
