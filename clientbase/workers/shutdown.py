"""A worker's shutdown (SIGTERM): running imports stop at their next checkpoint.

Dramatiq lets a stopping worker finish the messages it is running, up to its shutdown
timeout. Telling the handlers lets a long import commit its chunk and hand the job back
(see services/jobs/stopping.py) within seconds, instead of running for minutes or being
cut mid-chunk when the timeout ends.
"""

from __future__ import annotations

from dramatiq import Broker, Middleware, Worker

from clientbase.services.jobs import stopping


class GracefulStop(Middleware):
    def before_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        stopping.request_stop()

    def after_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        # The process ends now; a worker started again in it (tests) must run jobs.
        stopping.clear_stop()
