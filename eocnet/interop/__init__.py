"""Formats in and out: spreadsheets (CSV, XLSX), and later CAP 1.2, JSON and FHIR."""
