"""The sync agent beside each till: pushes the outbox to head office, pulls master data down.

Runs headless (``sgpos-sync run``) or on a background thread of the till app
(:meth:`till.sync.agent.SyncAgent.start_in_thread`). ``sgpos-sync`` is its command line
(``cli``); ``enrol`` is what the installer calls to give a till its identity.
"""
