"""Sources into typed records: one module per source, fetching kept apart from parsing."""
