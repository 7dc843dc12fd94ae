"""``cakra demo --sop NAME``: any SOP's demo, played from a scenario file (data, no code per SOP).

A scenario (``cakra/demo/scenarios/<name>.toml``) holds the whole set-up of one agency's demo:

- ``config``: the complete ``config.toml`` of the demo folder (local workbook, outbox, roles, units);
- ``headers``: the form's questions (the response tab's header row);
- ``start`` (a local date-time in the config's timezone), ``end_minutes`` and ``tick_minutes``: the
  service cycles every ``tick_minutes`` of simulated time from ``start`` until ``end_minutes``;
- ``[[responses]]`` (``at`` minutes, ``answers`` header -> value): what citizens or staff send through
  the form; ``[[manual]]`` (``at``, ``values``): rows an admin types into the "Input Manual" tab;
- ``[[moves]]`` (``at``, ``case``, ``values`` header -> text, optional ``screen``): what an operator types
  into a case's row; ``case`` is a text its report's description contains (tickets are the service's to
  give), ``screen`` a unit id when the unit's own workbook is where the move is typed;
- ``[[jobs]]`` (``at``, ``name``): a scheduled job run at that moment, as ``serve`` runs it: ``summary``,
  ``weekly`` or ``recap`` (the monthly recap of periodic reports);
- ``[[expect]]`` (``case``, ``state``, ``visited``): where each case must end and which steps it must
  have passed; the demo checks them and says which did not hold.

``at`` is minutes after ``start``, or a local date-time (``2026-10-02T09:30:00``): a scenario over months
(periodic reports) reads better in dates.

Events at minute ``at`` happen before the first cycle at or after it. The demo is the same service as
production (``cakra.cycle.poll``), on a simulated clock; the end-to-end tests play the same files
against a real SMTP server.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl

from cakra.app import App, build_app
from cakra.common.errors import CakraError
from cakra.common.text import normalise_header
from cakra.config import Config, load_config
from cakra.cycle import CycleResult, ensure_tabs, poll
from cakra.demo.scenario import fresh_folder
from cakra.workflow.case import Case

# The scenario files that ship with Cakra (package data, like the SOP files).
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
MANUAL_TAB_DEFAULT = "Input Manual"


@dataclass(frozen=True)
class Event:
    at: int  # minutes after the start
    kind: str  # "response", "manual", "move" or "job"
    values: dict[str, Any]
    case: str = ""  # a move's case: a text its description contains
    screen: str = ""  # a move typed on a unit's screen: the unit id


@dataclass(frozen=True)
class Expectation:
    case: str
    state: str
    visited: tuple[str, ...] = ()


@dataclass
class Scenario:
    name: str
    title: str
    config: str
    headers: list[str]
    start: datetime  # naive: local time in the config's timezone
    end_minutes: int
    tick_minutes: int
    events: list[Event]
    expectations: list[Expectation] = field(default_factory=list)


def available() -> list[str]:
    """The names of the scenario files that ship with Cakra."""
    return sorted(path.stem for path in SCENARIOS.glob("*.toml"))


def load_scenario(name: str) -> Scenario:
    """Read ``scenarios/<name>.toml``; ``CakraError`` (one line) for an unknown name or a broken file."""
    resource = SCENARIOS / f"{name}.toml"
    if not resource.is_file():
        raise CakraError(f"no demo for SOP {name!r}; available: {', '.join(available())}")
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))

        def at(event: dict[str, Any]) -> int:
            return _minutes(event["at"], data["start"])

        events = [
            *(Event(at(e), "response", dict(e["answers"])) for e in data.get("responses", [])),
            *(Event(at(e), "manual", dict(e["values"])) for e in data.get("manual", [])),
            *(
                Event(at(e), "move", dict(e["values"]), str(e["case"]), str(e.get("screen", "")))
                for e in data.get("moves", [])
            ),
            *(Event(at(e), "job", {"name": str(e["name"])}) for e in data.get("jobs", [])),
        ]
        expectations = [
            Expectation(str(e["case"]), str(e["state"]), tuple(e.get("visited", ())))
            for e in data.get("expect", [])
        ]
        return Scenario(
            name=name,
            title=str(data["title"]),
            config=str(data["config"]),
            headers=list(data["headers"]),
            start=data["start"],
            end_minutes=int(data["end_minutes"]),
            tick_minutes=int(data.get("tick_minutes", 60)),
            events=sorted(events, key=lambda e: e.at),
            expectations=expectations,
        )
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise CakraError(f"demo scenario {name!r} is broken: {exc!r}") from None


class ScenarioWorld:
    """The demo folder's workbooks, changed the way the form, the admin and the operators change them."""

    def __init__(self, config: Config, scenario: Scenario) -> None:
        self.config = config
        self.scenario = scenario
        self.workbook = config.sheets.workbook
        self.rows: list[list[object]] = []
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = config.sheets.responses_tab
        sheet.append(scenario.headers)
        book.save(self.workbook)

    def submit(self, answers: dict[str, Any], at: datetime) -> None:
        """A form response: the form stamps it and appends it to the response tab."""
        unknown = set(answers) - set(self.scenario.headers)
        if unknown:
            raise CakraError(f"demo scenario {self.scenario.name!r}: no form question {sorted(unknown)[0]!r}")
        row: list[object] = [answers.get(h, "") for h in self.scenario.headers]
        row[0] = at
        self._change(self.workbook, self.config.sheets.responses_tab, lambda sheet: _append(sheet, row))

    def type_manual(self, values: dict[str, Any]) -> None:
        """The admin types a complaint that came by letter, email, social media … into the manual tab."""
        tab = getattr(self.config.sheets, "manual_tab", MANUAL_TAB_DEFAULT) or MANUAL_TAB_DEFAULT

        def type_row(sheet: Any) -> None:
            columns = _columns(sheet)
            number = sheet.max_row + 1
            for header, value in values.items():
                sheet.cell(number, columns[normalise_header(header)]).value = value

        self._change(self.workbook, tab, type_row)

    def type_status(self, ticket: str, values: dict[str, str], screen: str = "") -> None:
        """An operator types ``values`` into the case's row: in the main status tab, or a unit's screen."""
        path, tab = self.workbook, self.config.sheets.status_tab
        if screen:
            path, tab = self.unit_screen(screen)

        def type_values(sheet: Any) -> None:
            columns = _columns(sheet)
            ticket_col = columns[normalise_header("No. Tiket")]
            for number in range(2, sheet.max_row + 1):
                if sheet.cell(number, ticket_col).value == ticket:
                    for header, value in values.items():
                        sheet.cell(number, columns[normalise_header(header)]).value = value
                    return
            raise CakraError(f"case {ticket} has no row in {path.name} [{tab}]")

        self._change(path, tab, type_values)

    def unit_screen(self, unit: str) -> tuple[Path, str]:
        """Where a unit's own screen is: its workbook and status tab (from the config's ``[units]``)."""
        units = getattr(self.config, "units", {}) or {}
        settings = units.get(unit)
        if settings is None or not getattr(settings, "workbook", None):
            raise CakraError(f"demo scenario {self.scenario.name!r}: unit {unit!r} has no workbook")
        return Path(settings.workbook), self.config.sheets.status_tab

    @staticmethod
    def _change(path: Path, tab: str, edit: Callable[[Any], None]) -> None:
        book = openpyxl.load_workbook(path)
        try:
            edit(book[tab])
        except KeyError:
            raise CakraError(f"{path.name} has no tab {tab!r} (has 'cakra init' run?)") from None
        book.save(path)


def play(
    scenario: Scenario, app: App, world: ScenarioWorld, say: Callable[[str], None] = print
) -> list[CycleResult]:
    """Play the scenario's events on ``world`` while the service cycles on a simulated clock."""
    tz = app.config.tz
    start = scenario.start.replace(tzinfo=tz)
    pending = list(scenario.events)
    results: list[CycleResult] = []
    for minutes in range(0, scenario.end_minutes + 1, scenario.tick_minutes):
        now = start + timedelta(minutes=minutes)
        jobs: list[str] = []
        while pending and pending[0].at <= minutes:
            event = pending.pop(0)
            at = (start + timedelta(minutes=event.at)).replace(tzinfo=None)
            if event.kind == "response":
                world.submit(event.values, at)
            elif event.kind == "manual":
                world.type_manual(event.values)
            elif event.kind == "job":
                jobs.append(str(event.values["name"]))  # after this tick's cycle, as serve runs them
            else:
                case = find_case(app, event.case)
                world.type_status(case.ticket, {k: str(v) for k, v in event.values.items()}, event.screen)
        result = poll(app, now)
        results.append(result)
        for name in jobs:
            run_job(app, name, now)
            say(f"[{now:%d/%m %H:%M}] tugas terjadwal '{name}' dijalankan")
        if result.found_work:
            say(f"[{now:%d/%m %H:%M}] {result.summary()}")
    return results


def run_job(app: App, name: str, now: datetime) -> None:
    """A scheduled job as ``serve`` runs it (under the cycle lock), then delivered."""
    from cakra.jobs import locked, summary, weekly
    from cakra.periodic_jobs import recap

    jobs: dict[str, Callable[[App, datetime], object]] = {
        "summary": summary,
        "weekly": weekly,
        "recap": recap,
    }
    if name not in jobs:
        raise CakraError(f"demo scenario: no job {name!r}; use one of {', '.join(jobs)}")
    with locked(app, wait=0):
        jobs[name](app, now)
        app.mailer.deliver(now)


def _minutes(at: object, start: object) -> int:
    """An event's ``at``: minutes after ``start`` as given, or a local date-time's distance from it."""
    if isinstance(at, datetime) and isinstance(start, datetime):
        return int((at - start).total_seconds() // 60)
    return int(at)  # type: ignore[call-overload]


def find_case(app: App, text: str) -> Case:
    """The one case whose description contains ``text`` (a scenario names cases by what they say)."""
    found = [c for c in app.ledger.cases() if text in c.report.description]
    if len(found) != 1:
        raise CakraError(f"demo scenario: {len(found)} cases mention {text!r}; it must name exactly one")
    return found[0]


def unmet(scenario: Scenario, app: App) -> list[str]:
    """The scenario's expectations that did not hold, one line each (empty: all held)."""
    problems = []
    for expected in scenario.expectations:
        case = find_case(app, expected.case)
        if case.step != expected.state:
            problems.append(f"{case.ticket} ({expected.case!r}) is at {case.step!r}, not {expected.state!r}")
        steps = {entry.to_step for entry in app.ledger.history(case.ticket) if entry.to_step}
        missing = [s for s in expected.visited if s not in steps]
        if missing:
            problems.append(f"{case.ticket} ({expected.case!r}) never entered {', '.join(missing)}")
    return problems


def prepare(out: Path, scenario: Scenario) -> Path:
    """Write the demo folder's config and an empty form; return the config path."""
    fresh_folder(
        out, "cakra-demo.xlsx", "cakra-demo.sqlite", "cakra-demo.sqlite-wal", "cakra-demo.sqlite-shm"
    )
    for stale in out.glob("unit-*.xlsx"):
        stale.unlink()
    path = out / "config.toml"
    path.write_text(scenario.config, encoding="utf-8")
    return path


def run_sop_demo(out: Path, name: str, *, config_text: Callable[[str], str] | None = None) -> int:
    """Build the demo of SOP ``name`` in ``out``, play it and print where to look; 1 when an
    expectation failed. ``config_text`` may rewrite the scenario's config (the tests send email to a real
    SMTP server instead of the outbox folder)."""
    scenario = load_scenario(name)
    if config_text is not None:
        scenario.config = config_text(scenario.config)
    config_path = prepare(out, scenario)
    config = load_config(config_path)
    world = ScenarioWorld(config, scenario)
    app = build_app(config)
    logging.getLogger("cakra").setLevel(logging.WARNING)  # the demo prints its own line per cycle
    try:
        ensure_tabs(app)
        play(scenario, app, world)
        problems = unmet(scenario, app)
        print()
        print(f"Demo {scenario.title} siap di {out}/")
        print(f"  lembar status + riwayat : {config.sheets.workbook}")
        emails = sorted((out / "outbox").glob("*.eml")) if (out / "outbox").exists() else []
        print(f"  email                   : {len(emails)} pesan di {out / 'outbox'}/")
        print(f"  buku besar (audit)      : {config.ledger_path}")
        tabs = openpyxl.load_workbook(config.sheets.workbook, read_only=True).sheetnames
        print(f"  tab lembar kerja        : {', '.join(tabs)}")
        print(f"  satu siklus lagi        : cakra --config {config_path} poll")
        for problem in problems:
            print(f"  TIDAK SESUAI SKENARIO   : {problem}")
        return 1 if problems else 0
    finally:
        app.close()


def _columns(sheet: Any) -> dict[str, int]:
    return {normalise_header(str(c.value)): c.column for c in sheet[1] if c.value}


def _append(sheet: Any, row: list[object]) -> None:
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # what a citizen typed is text
