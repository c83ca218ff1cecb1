"""The cashier's screens (PySide6). Views only: every action goes through ``till.services``."""
