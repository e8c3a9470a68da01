"""Shipping (出货): units scanned against a shipment, shipped whole or knowingly short, the packing list."""
