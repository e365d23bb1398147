"""Bulk import of cadres, duty assignments and produce listings from .xlsx or CSV.

Upload → preview with row-by-row errors → confirm. Confirming re-checks every row against
the database as it is then and applies all rows in one transaction: nothing is ever
half-imported.
"""
