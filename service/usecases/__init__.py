"""The campaign use cases: load rows, call the surrogate or a physics model, store rows, publish jobs.

Each takes the settings and a request's typed input and returns plain documents; routes and tasks
call them, and tests can too, with a database and no broker (jobs are only published when made).
"""
