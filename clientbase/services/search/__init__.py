"""The customer typeahead: what a search box query can mean, and the SQL that finds it."""
