"""Serialization and packing (序列号/包装): serial labels scanned back, cartons and pallets
closed and labelled."""
