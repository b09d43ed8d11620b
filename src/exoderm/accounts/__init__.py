"""Accounts: organisations (a clinic or a lab), users with roles, and the audit log."""

# Every audit event is sealed as it is written, wherever it is made (see audit_seal).
from exoderm.accounts import audit_seal as _audit_seal  # noqa: F401
