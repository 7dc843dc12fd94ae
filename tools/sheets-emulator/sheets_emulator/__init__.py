"""Local emulator of the Google Sheets API v4 (plus the Drive v3 calls gspread makes and the OAuth
token endpoint), for tests, the benchmark and ``run.py demo --google-emulator``.

Entry points: ``emulator.server.SheetsEmulator`` (start/stop, seeding, inspection, faults, quotas,
request log), ``emulator.server.main`` / ``python -m emulator`` (serve on a port),
``emulator.client.gspread_client`` and ``emulator.keys.make_service_account_key``.  Conformance
against recorded real traffic: ``emulator.replay`` (driven by tests/test_emulator_conformance.py).
"""
