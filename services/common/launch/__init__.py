"""Launch the suite's services under gunicorn on 127.0.0.1, stopped by pid (make run/stop, tests).

``suite``: the services, their ports and pid files, start/stop/status (``python -m
services.common.launch.suite``); ``supervise``: the supervisor of `make run` that restarts a
dead master; ``live``: a throwaway suite on free ports in a temporary directory, and ``call``
to send it signed JSON requests (tests and benchmarks). ``suite`` and ``supervise`` need only
the standard library, so `make stop` works without the virtualenv.
"""
