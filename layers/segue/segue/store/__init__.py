"""Ports and their AWS adapters: the table, the payload bucket, the work queue."""
