"""Every actor, imported together: this is the module `clientbase worker` loads."""

# Imported for their effect: each registers its job kind's handler with the runner.
import clientbase.services.dedupe.handler
import clientbase.services.exports.handler
import clientbase.services.imports.handler  # noqa: F401
from clientbase.core.config import get_settings
from clientbase.core.logging import configure_logging
from clientbase.workers.api_keys import record_api_key_use
from clientbase.workers.broker import broker
from clientbase.workers.dead_letter import DeadLetters
from clientbase.workers.jobs import run_job_actor
from clientbase.workers.reconciler import JobReconciler
from clientbase.workers.shutdown import GracefulStop

settings = get_settings()
configure_logging(settings.log_level, json=settings.log_json)
broker.add_middleware(JobReconciler())
broker.add_middleware(GracefulStop())
broker.add_middleware(DeadLetters())

__all__ = ["broker", "record_api_key_use", "run_job_actor"]
