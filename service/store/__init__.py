"""The system of record: engine and sessions (``db``), tables, the job vocabulary, schema migrations, and
one repository per aggregate (``campaigns``, ``cells``, ``proposals``, ``jobs``, ``simulations``,
``recommendations``, ``keys``, ``requests``), each module's docstring its contract. The only package that
imports SQLAlchemy (an import-linter contract): the layers above call the repositories."""
