"""The worker edge: the Celery tasks that run jobs, and the worker process with its beacon and reconciler."""
