"""Makes the repository root importable in tests (`from tests.parity import check_parity`)."""
