"""Duplicate customers: one matcher (pure comparisons and weights), blocking on stored keys,
and its uses: the probe before a create, the rule on create and update, the tenant scan."""
