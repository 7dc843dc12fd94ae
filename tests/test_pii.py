"""Masking the NIK: the helpers and the log filter every CLI handler carries."""

from __future__ import annotations

import logging

from cakra.common.pii import RedactingFilter, mask_nik, redact


def test_mask_nik_keeps_region_and_last_four_only() -> None:
    assert mask_nik("1404015501900001") == "1404********0001"
    assert mask_nik("140401550190000") == "***********0000"
    assert mask_nik("") == ""


def test_redact_masks_every_sixteen_digit_run_but_not_longer_numbers() -> None:
    text = "NIK 1404015501900001 dan 3171011708450001; rekening 12345678901234567"
    assert redact(text) == "NIK 1404********0001 dan 3171********0001; rekening 12345678901234567"


def test_log_filter_redacts_messages_arguments_and_tracebacks(caplog) -> None:
    logger = logging.getLogger("cakra.test.pii")
    handler = logging.Handler()
    records: list[str] = []
    handler.emit = lambda record: records.append(logging.Formatter().format(record))  # type: ignore[method-assign]
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("kasus dari %s", "1404015501900001")
        try:
            raise ValueError("NIK 1404015501900001 tidak cocok")
        except ValueError:
            logger.exception("gagal")
    finally:
        logger.removeHandler(handler)
    joined = "\n".join(records)
    assert "1404015501900001" not in joined
    assert joined.count("1404********0001") >= 2  # the message, its argument, the traceback
