"""What an operator meant by the text in "Tahap": a step or ending, a decision's answer, or a hold.

Resolved in this order, each compared as titles are (any case and spacing, ``normalise_header``):
1. an answer label of the case's current step ("Tidak" in a decision) -> the answer's target;
2. a hold's title ("Menunggu pelapor", "Pending"; also "menunggu" and the hold's id);
3. a step's or ending's title, id, or number ("4" for "4. Kabid verifikasi");
4. an answer label of another step: refused (the case is not at that decision).
Text that matches more than one step or ending is never resolved silently: the refusal lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cakra.common.text import normalise_header
from cakra.workflow.sop import WAITING_HOLD, Sop
from cakra.workflow.sop_check import step_number


@dataclass(frozen=True)
class Choice:
    """One resolved "Tahap" value: exactly one of ``state``/``hold``/``refusal`` is set (``answer``
    accompanies ``state`` when the operator typed a decision's answer label)."""

    state: str | None = None
    hold: str | None = None
    answer: str | None = None
    refusal: str | None = None


def read_choice(sop: Sop, current: str, text: str) -> Choice | None:
    """The operator's ``text`` for a case in step ``current``; None when it names nothing at all."""
    wanted = normalise_header(text)
    if not wanted:
        return None
    step = sop.steps.get(current)
    if step is not None:
        for label, target in step.answers.items():
            if normalise_header(label) == wanted:
                return Choice(state=target, answer=label)
    for hold in sop.holds.values():
        names = {normalise_header(hold.title), normalise_header(hold.id)}
        if hold.id == WAITING_HOLD:
            names.add("menunggu")
        if wanted in names:
            return Choice(hold=hold.id)
    states = matching_states(sop, wanted)
    if len(states) == 1:
        return Choice(state=states[0])
    if len(states) > 1:
        listed = ", ".join(f"'{sop.state_title(s)}'" for s in states)
        return Choice(
            refusal=f"'{text}' cocok dengan beberapa tahap: {listed}. Tulis judul tahap selengkapnya."
        )
    deciding = [s for s in sop.steps.values() if any(normalise_header(a) == wanted for a in s.answers)]
    if deciding:
        where = ", ".join(f"'{s.title}'" for s in deciding)
        here = sop.state_title(current) if current in sop.steps or current in sop.endings else current
        return Choice(
            refusal=f"'{text}' adalah jawaban di tahap {where}, sedangkan kasus ada di tahap '{here}'."
        )
    return None


def matching_states(sop: Sop, wanted: str) -> list[str]:
    """Every step or ending whose title, id or number is ``wanted`` (already normalised), SOP order."""
    found: list[str] = []
    for state in (*sop.steps, *sop.endings):
        title = sop.state_title(state)
        names = {normalise_header(title), normalise_header(state)}
        number = step_number(title)
        if wanted in names or (number is not None and number == wanted):
            found.append(state)
    return found
