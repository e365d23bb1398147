"""The residents' requests ledger (群众诉求): intake from every door, assignment to a cadre
with a deadline, the steps 受理 → 办理中 → 办结 → 回访 with an SMS to the resident at each,
overdue alarms, monthly statistics (counts only) and the monthly ledger export.

Pure rules live in ``rules``; services take ``now`` as an argument; the admin pages, the
phone page and the JSON API are in ``routes``, ``phone`` and ``api`` under the blueprint
of ``blueprint``. Nothing here imports the inbound-SMS dispatcher: it calls ``intake``.
"""
