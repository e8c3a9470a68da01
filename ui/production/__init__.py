"""Production (投料/报工): feeding a work order's lots, reporting its steps, assembling serials."""
