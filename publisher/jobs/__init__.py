"""Work done outside requests: the clock process (APScheduler) and the playout process."""
