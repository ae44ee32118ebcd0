"""Background jobs: their durable record, the runner that drives handlers, and the outbox."""
