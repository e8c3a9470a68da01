"""Documents: each maps one domain result to a layout that printing/ renders."""
