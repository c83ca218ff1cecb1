"""The sync soak: rounds of random faults against real till, agent and server processes."""
