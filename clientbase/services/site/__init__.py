"""Sites: the named places of a customer where its inventory is installed."""
