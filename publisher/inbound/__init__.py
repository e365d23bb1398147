"""Inbound SMS: what a text sent to the gateway means, and who acts on it.

Above the domains it serves (emergency, whereabouts, residents' requests) and above the
gateway (``publisher.sms``: queue, store, numbers, modems), which knows nothing of them.
"""
