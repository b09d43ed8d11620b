"""Accounts: organisations (a clinic or a lab), users with roles, and the audit log."""
