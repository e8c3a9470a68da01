"""Receiving (原材料入库): supplier lots in, their labels printed, quarantined lots released or rejected."""
