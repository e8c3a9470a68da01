"""The supervisor's and quality engineer's window: trace, genealogy picture, recall, signed actions."""
