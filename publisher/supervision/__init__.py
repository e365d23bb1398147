"""Keeping every process on air: supervisord runs the Procfile, heartbeats show health.

The Procfile stays the one list of processes. ``villagecast supervise`` turns it into a
supervisord configuration (:mod:`publisher.supervision.config`) and runs supervisord in the
foreground, so a process that dies is started again on its own while the others run on.
Each long-running Python process writes a heartbeat (:mod:`publisher.supervision.heartbeat`);
supervisord's ``watchdog`` event listener (:mod:`publisher.supervision.watchdog`) restarts
one whose heartbeat stops although it still runs (a hang), and counts restarts.
"""
