"""The rules of the jobs service, one module per domain; views and importers call these."""
