import sqlite3

from django.apps import AppConfig


class MovementConfig(AppConfig):
    name = "movement"
    verbose_name = "API access and audit"

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth_signals

        from movement import signals

        auth_signals.user_logged_in.connect(signals.record_login, dispatch_uid="audit-login")
        auth_signals.user_logged_out.connect(signals.record_logout, dispatch_uid="audit-logout")
        auth_signals.user_login_failed.connect(
            signals.record_login_failure, dispatch_uid="audit-login-failed"
        )
        user_locked_out.connect(signals.log_lockout, dispatch_uid="log-lockout")

        # Importing the backend module first avoids a circular import when the SQLite backend
        # is not the one in use.
        from django.db.backends.sqlite3.base import DatabaseFeatures

        # Django 5.2 assumes SQLite's historical limit of 999 bound parameters and splits bulk
        # writes into batches of that size, so an ingest of 1,000 activities would take a dozen
        # INSERTs. SQLite 3.32 and newer allow 32,766 parameters by default.
        if sqlite3.sqlite_version_info >= (3, 32):
            DatabaseFeatures.max_query_params = 32766
