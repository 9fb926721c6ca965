"""The system of record: engine and sessions, tables, the job vocabulary, schema migrations."""
