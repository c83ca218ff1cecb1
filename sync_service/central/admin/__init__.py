"""Head office's write side: catalogue, prices, staff, enrolment codes and tills.

Every change runs in one transaction that names the head-office user as ``sgpos.actor``, so
the audit trigger records who made it; master-data triggers put the change on the tills' pull
cursor in that same transaction. Bad input raises ``AdminError`` (or ``FieldError``) with a
plain reason before anything is written.
"""

from sync_service.central.admin.edits import AdminError, FieldError

__all__ = ["AdminError", "FieldError"]
