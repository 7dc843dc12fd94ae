"""Local emulator of the Google Sheets API v4 (plus the Drive v3 calls gspread makes and the OAuth
token endpoint), for tests, benchmarks and demos. It depends on no application that uses it.

Entry points: ``sheets_emulator.server.SheetsEmulator`` (start/stop, seeding, inspection, faults,
quotas, request log), ``python -m sheets_emulator`` / the ``sheets-emulator`` script (serve on a port),
``sheets_emulator.client`` (``route_to_emulator``, ``gspread_client``),
``sheets_emulator.keys.make_service_account_key`` and the pytest fixtures ``emulator``, ``gc`` and
``http`` (``sheets_emulator.pytest_plugin``). Conformance against recorded real traffic:
``sheets_emulator.replay`` (driven by tests/test_emulator_conformance.py).
"""
