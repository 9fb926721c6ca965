"""The edge, cut by role: ``http`` (API), ``worker`` (Celery tasks and process), ``usecases`` (load rows →
surrogate or model → store rows), ``jobs`` (lifecycle, queue, heartbeat, reconciler), ``store`` (database),
``cli``, ``stack`` (one machine), ``client``. No physics or statistics lives here."""
