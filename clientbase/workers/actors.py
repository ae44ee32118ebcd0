"""Every actor, imported together: this is the module `clientbase worker` loads."""

from clientbase.workers.api_keys import record_api_key_use
from clientbase.workers.broker import broker

__all__ = ["broker", "record_api_key_use"]
