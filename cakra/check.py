"""``run.py check``: one screen telling a new installer what works and what to fix before ``serve``.

Each check prints ``ok`` or ``FAIL`` with one line saying what is wrong and how to fix it; the command
exits non-zero when anything failed. Nothing is written to the sheets or sent.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator

from cakra.app import check_roles, make_sheets, make_transport, make_unit_sheets
from cakra.common.errors import CakraError
from cakra.config import Config
from cakra.ingest.columns import ColumnAliases
from cakra.ingest.questions import form_questions
from cakra.ingest.responses import locate_columns
from cakra.ledger.store import Ledger
from cakra.notify.transports.base import TransportError
from cakra.sheets.base import SheetBackend, Tab
from cakra.tabs.status import COLUMNS
from cakra.tabs.view import relied_questions
from cakra.unit_settings import UnitSettings
from cakra.workflow.sop import Sop, load_sop


def _run(label: str, probe: Callable[[], str | None]) -> tuple[bool, str]:
    try:
        detail = probe()
    except (CakraError, TransportError, OSError, ValueError) as exc:
        return False, f"FAIL  {label}: {exc}"
    return True, f"ok    {label}" + (f" ({detail})" if detail else "")


def checks(config: Config) -> Iterator[tuple[bool, str]]:
    """Yield (passed, line) for each check, in the order an installer fixes things."""
    state: dict[str, object] = {}

    def sop() -> str:
        state["sop"] = load_sop(config.sop_path)
        check_roles(config, state["sop"])  # type: ignore[arg-type]
        return f"{state['sop'].name}, {len(state['sop'].steps)} steps"  # type: ignore[attr-defined]

    yield _run(f"SOP {config.sop_path}", sop)

    def ledger() -> str:
        opened = Ledger(config.ledger_path)
        try:
            state["relied"] = relied_questions(opened)  # the form questions earlier cycles relied on
        finally:
            opened.close()
        return str(config.ledger_path)

    yield _run("ledger", ledger)

    def sheets() -> str:
        backend = make_sheets(config)
        state["sheets"] = backend
        return f"{config.sheets.backend} backend, timezone {backend.timezone.key}"

    account = ""
    if config.sheets.backend == "google":

        def service_account() -> str:
            nonlocal account
            account = _account_email(config)
            if not account:
                return "Application Default Credentials (no service-account address to share with)"
            return f"{account}: share the spreadsheet with this address as Editor"

        yield _run("service account", service_account)
    ok, line = _run("sheet credentials and spreadsheet", sheets)
    yield ok, line if ok else line + _unreachable_hint(config, account, line)
    if ok:
        relied: dict[str, str] = state.get("relied", {})  # type: ignore[assignment]
        yield from _tab_checks(config, state["sheets"], relied, account)  # type: ignore[arg-type]
        yield from _office_lock_check(state["sheets"])  # type: ignore[arg-type]
        if isinstance(state.get("sop"), Sop):
            yield from _unit_checks(config, state["sop"], state["sheets"], account)  # type: ignore[arg-type]
    ok, line = _run(f"email ({config.email.backend})", lambda: _email_check(config))
    yield ok, line
    if ok and config.email.backend == "outbox":
        yield (
            True,
            (
                f"WARN  email: the 'outbox' backend only writes .eml files to {config.email.outbox_dir} and sends"
                ' nothing; set [email] backend = "smtp" (or "gmail") so officials get their email'
            ),
        )


def _unit_checks(config: Config, sop: Sop, main: SheetBackend, account: str) -> Iterator[tuple[bool, str]]:
    """Each unit's own screen is reachable (on Google: shared with the service account)."""
    for unit_id, backend in make_unit_sheets(config, sop, main).items():

        def probe(backend: SheetBackend = backend, where: UnitSettings = config.units[unit_id]) -> str:
            if config.sheets.backend == "google":
                backend.tab_names()
                who = account or "the service account"
                return f"spreadsheet {where.spreadsheet_id}: share it with {who} and the unit's people only"
            path = where.workbook
            return f"{path}" if path is not None and path.exists() else f"{path} (made by 'cakra init')"

        yield _run(f"unit {unit_id} screen", probe)


def _office_lock_check(backend: SheetBackend) -> Iterator[tuple[bool, str]]:
    """A warning, not a failure: a workbook open in LibreOffice or Excel is normal, but the service
    does not save it until it is closed (``cakra.sheets.local``)."""
    lock = getattr(backend, "office_lock", lambda: None)()
    if lock is not None:
        yield (
            True,
            (
                f"WARN  the workbook is open in an office program ({lock}): the service saves it only after"
                " it is closed; close it there when done"
            ),
        )


def _account_email(config: Config) -> str:
    """The service account's address from the key file ("" for Application Default Credentials)."""
    from cakra.credentials import SHEETS_SCOPES, load_credentials

    sheets = config.sheets
    credentials = load_credentials(sheets.credentials, SHEETS_SCOPES, google_endpoint=not sheets.api_endpoint)
    return str(getattr(credentials, "service_account_email", "") or "")


def _unreachable_hint(config: Config, account: str, error: str) -> str:
    """What to do when Google answers 404 (no such spreadsheet, or not shared) or 403 (not allowed)."""
    if config.sheets.backend != "google" or not any(code in error for code in ("404", "403")):
        return ""
    ids = " and ".join(
        dict.fromkeys(i for i in (config.sheets.spreadsheet_id, config.sheets.status_spreadsheet_id) if i)
    )
    who = account or "the account Cakra runs as"
    return (
        f" -> share the spreadsheet {ids} with {who} as Editor, or check [sheets] spreadsheet_id"
        " (the ID in the spreadsheet's URL)"
    )


def _tab_checks(
    config: Config, backend: SheetBackend, relied: dict[str, str], account: str = ""
) -> Iterator[tuple[bool, str]]:
    wanted = list(config.sheets.response_tabs)
    status_tab = config.sheets.status_tab
    try:
        tabs = backend.read([*wanted, status_tab])
    except CakraError as exc:
        yield False, f"FAIL  reading the tabs: {exc}{_unreachable_hint(config, account, str(exc))}"
        return
    responses = next((tabs[n] for n in wanted if tabs.get(n) is not None), None)
    if responses is None:
        yield False, f"FAIL  response tab {' / '.join(wanted)} not found: set [sheets] responses_tab"
    else:
        yield _run(
            f"response tab {responses.name!r}",
            lambda: (
                f"{max(len(responses.rows) - 1, 0)} responses; columns "
                + ", ".join(sorted(locate_columns(responses, config.columns)))
            ),
        )
        yield from _question_checks(responses, config.columns, relied)
    status = tabs.get(status_tab)
    if status is None:
        yield True, f"ok    status tab {status_tab!r} does not exist yet (init or the first poll creates it)"
    else:
        missing = [c.header for c in COLUMNS if status.column(c.header) is None]
        detail = (
            f"missing {', '.join(missing)} (added on the next poll)" if missing else "all columns present"
        )
        yield True, f"ok    status tab {status_tab!r}: {detail}"


def _question_checks(tab: Tab, columns: ColumnAliases, relied: dict[str, str]) -> Iterator[tuple[bool, str]]:
    """A question the service relied on and cannot find fails (each response read meanwhile is flagged
    on its case); questions it does not use, and titles used twice, are listed with what each might be."""
    questions = form_questions(tab, columns, relied)
    guesses = questions.suggestions(columns)
    for name, title in questions.lost.items():
        maybe = [repr(t) for t, guess in guesses.items() if guess == name]
        hint = f" (perhaps {' or '.join(maybe)}?)" if maybe else ""
        yield (
            False,
            (
                f"FAIL  form question {title!r} (field '{name}') is not in tab {tab.name!r}{hint}: new cases are "
                f'flagged; restore the title in the form, or add [columns] {name} = ["<new title>"] '
                f"(or {name} = [] if the form no longer asks it)"
            ),
        )
    if guesses:
        listed = ", ".join(f"{t!r}" + (f" (maybe {guess})" if guess else "") for t, guess in guesses.items())
        yield (
            True,
            f'note  form questions Cakra does not read: {listed}; map one with [columns] <field> = ["<title>"]',
        )
    if questions.duplicates:
        titles = ", ".join(repr(t) for t in questions.duplicates)
        yield True, f"note  question titles used for more than one column (the first is read): {titles}"


def _email_check(config: Config) -> str:
    transport, email = make_transport(config), config.email
    if email.backend == "outbox":
        email.outbox_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=email.outbox_dir, prefix=".check-"):
            pass
        return f"writes .eml files to {email.outbox_dir}"
    if email.backend == "smtp":
        user = os.environ.get(email.user_env)
        try:
            transport.check_login(email.sender)  # type: ignore[attr-defined]
        except TransportError as exc:
            if user or "530" not in str(exc):
                raise
            raise TransportError(
                f"{exc} -> the server requires a login: set the environment variables {email.user_env}"
                f" and {email.password_env} (named by [email] user_env / password_env)"
            ) from None
        login = f"logged in as {user}" if user else f"no login (set {email.user_env} to log in)"
        return f"{email.host}:{email.port} accepts the connection; {login}"
    return f"sends as {email.delegated_user}"


def run_checks(config: Config, out: Callable[[str], None] = print) -> int:
    failed = 0
    for passed, line in checks(config):
        out(line)
        failed += not passed
    out("semua siap / all good: start with 'cakra serve'" if not failed else f"{failed} problem(s) to fix")
    return 0 if not failed else 1
