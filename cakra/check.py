"""``run.py check``: one screen telling a new installer what works and what to fix before ``serve``.

Each check prints ``ok`` or ``FAIL`` with one line saying what is wrong and how to fix it; the command
exits non-zero when anything failed. Nothing is written to the sheets or sent.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator

from cakra.app import check_roles, make_sheets, make_transport
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
from cakra.workflow.sop import load_sop


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

    ok, line = _run("sheet credentials and spreadsheet", sheets)
    yield ok, line
    if ok:
        relied: dict[str, str] = state.get("relied", {})  # type: ignore[assignment]
        yield from _tab_checks(config, state["sheets"], relied)  # type: ignore[arg-type]
    yield _run(f"email ({config.email.backend})", lambda: _email_check(config))


def _tab_checks(config: Config, backend: SheetBackend, relied: dict[str, str]) -> Iterator[tuple[bool, str]]:
    wanted = list(config.sheets.response_tabs)
    status_tab = config.sheets.status_tab
    try:
        tabs = backend.read([*wanted, status_tab])
    except CakraError as exc:
        yield False, f"FAIL  reading the tabs: {exc}"
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
        transport.check_login()  # type: ignore[attr-defined]
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
