"""The demo plant: a small smart-meter factory's master data (`plant`) and a few days of its history
made by the operations (`history`, behind `tracestation-admin demo seed`).

Not the domain: models/ knows nothing of any particular plant. The demo builds on models/ like any
other caller, the tests build on the same master data, and nothing of Qt, the screens, the
application or printing comes in (import-linter contracts in pyproject.toml).
"""
