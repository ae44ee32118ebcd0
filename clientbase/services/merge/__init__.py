"""Customer merges: move everything of some customers to a survivor, and undo it."""
