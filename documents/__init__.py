"""Documents: each module maps one domain result to a layout or file that people outside use.

The recall list (CSV, XLSX), the recall report and the packing list (PDFs that printing/ lays out),
a trace as JSON. A document reads models' results and hands printing/ plain rows; it knows nothing
of Qt, so it runs on a station's worker and in the admin CLI alike.
"""
