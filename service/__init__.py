"""The edge: HTTP API, job queue, database, CLI and client. Thin: it stores rows and calls models/ and surrogate/."""
