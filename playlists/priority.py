"""The playout process asks to be scheduled ahead of ordinary work (best effort).

A county's channels all publish at the same instant every 3.84 s; a machine busy with
renders, encodes or a burst of web requests must not make them late. The playout's work is a
fraction of a core, so a lower nice value costs the rest of the machine nothing it needs,
while the renders (already niced, see publisher.jobs.render_lane) and the web wait their turn
for those milliseconds. Real-time scheduling is kept for the paced UDP senders
(playlists.udp_send), which are single-threaded and never spin.
"""

from __future__ import annotations

import os

PLAYOUT_NICE = -5  # the systemd unit grants CAP_SYS_NICE (for the UDP senders) and this


def ahead_of_ordinary_work(nice: int = PLAYOUT_NICE) -> str:
    """Set this process's nice value to ``nice`` unless it is lower already (calling it again
    changes nothing); "nice" if the process runs at it, else "normal"."""
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) > nice:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        return "nice"
    except OSError:  # no CAP_SYS_NICE: the playout runs as any other process
        return "normal"
