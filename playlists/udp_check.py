"""What a head-end engineer checks on a UDP capture (pure: arrival times and datagrams in).

TR 101 290 priority 1 (sync, PAT, continuity, PMT, PID) and the PCR checks of priority 2
(repetition, discontinuity, accuracy), plus pacing: the rate in every 100 ms window and
the PCR against arrival time. Arrival times are in seconds on any one clock. Used by the
tests and by ``bench/udp_bench.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from playlists import ts
from playlists.cbr import DATAGRAM_BYTES

WINDOW_S = 0.1
PCR_DISCONTINUITY_S = 0.1  # consecutive PCRs further apart (or backwards) need the flag
PID_LIMIT_S = 5.0  # TR 101 290 1.6: each PID the PMT names at least this often


@dataclass
class CaptureReport:
    datagrams: int = 0
    seconds: float = 0.0
    wrong_sizes: int = 0
    sync_errors: int = 0
    cc_errors: int = 0
    null_share: float = 0.0
    # rate per 100 ms window over nominal: whole datagrams by arrival, and with each
    # datagram's bytes spread over its own transmission time at the nominal rate
    window_min: float = 0.0
    window_max: float = 0.0
    fluid_window_min: float = 0.0
    fluid_window_max: float = 0.0
    pcr_count: int = 0
    pcr_jitter_p50_ms: float = 0.0
    pcr_jitter_p99_ms: float = 0.0
    pcr_jitter_max_ms: float = 0.0
    pcr_interval_max_ms: float = 0.0  # by arrival, within continuous runs
    pcr_accuracy_max_ns: float = 0.0
    pcr_discontinuity_errors: int = 0
    discontinuities: int = 0  # PCRs that set the discontinuity indicator
    interval_max_s: dict[int, float] = field(default_factory=dict)  # per PID, by arrival
    service_names: set[tuple[bytes, bytes]] = field(default_factory=set)

    def priority_1_ok(self) -> bool:
        """Sync, PAT, CC, PMT and PID checks pass (tables within 0.5 s, PIDs within 5 s)."""
        tables = all(self.interval_max_s.get(p, 99) <= 0.5 for p in (ts.PAT_PID, ts.PMT_PID))
        pids = all(self.interval_max_s.get(p, 99) <= PID_LIMIT_S
                   for p in (ts.VIDEO_PID, ts.AUDIO_PID))  # fmt: skip
        return not (self.sync_errors or self.cc_errors or self.wrong_sizes) and tables and pids

    def pcr_ok(self) -> bool:
        """PCR repetition <= 40 ms, no unflagged discontinuity, accuracy within 500 ns."""
        return (self.pcr_interval_max_ms <= 40 and not self.pcr_discontinuity_errors
                and self.pcr_accuracy_max_ns <= 500)  # fmt: skip


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _windows(arrivals: Sequence[float], rate_bps: int) -> tuple[float, float, float, float]:
    start, end = arrivals[0], arrivals[-1]
    n = int((end - start) / WINDOW_S)
    if n < 3:
        return 0.0, 0.0, 0.0, 0.0
    whole = [0] * n
    fluid = [0.0] * n
    span = DATAGRAM_BYTES * 8 / rate_bps
    for t in arrivals:
        i = int((t - start) / WINDOW_S)
        if i < n:
            whole[i] += DATAGRAM_BYTES
        lo, hi = t, t + span
        j = int((lo - start) / WINDOW_S)
        while j < n and start + j * WINDOW_S < hi:
            a, b = max(lo, start + j * WINDOW_S), min(hi, start + (j + 1) * WINDOW_S)
            if b > a:
                fluid[j] += DATAGRAM_BYTES * (b - a) / span
            j += 1
    nominal = rate_bps * WINDOW_S / 8
    inner = slice(1, n - 1)  # the first and last windows may be cut by the capture
    w = [x / nominal for x in whole[inner]]
    f = [x / nominal for x in fluid[inner]]
    return min(w), max(w), min(f), max(f)


def _pcr_runs(pcrs: list[tuple[float, int, int, bool]]) -> list[list[tuple[float, int, int]]]:
    """PCRs cut into runs at each discontinuity indicator or gap in arrival."""
    runs: list[list[tuple[float, int, int]]] = []
    for arrival, pos, pcr, flagged in pcrs:
        if flagged or not runs or arrival - runs[-1][-1][0] > PCR_DISCONTINUITY_S:
            runs.append([])
        runs[-1].append((arrival, pos, pcr))
    return runs


def _fit_residuals(run: list[tuple[float, int, int]]) -> list[float]:
    """Arrival minus PCR time, less the straight line through them (clock drift)."""
    base = run[0][2]
    xs = [((p - base) % ts.PCR_WRAP) / 27e6 for _, _, p in run]
    ys = [a - x for (a, _, _), x in zip(run, xs, strict=True)]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return [y - (my + slope * (x - mx)) for x, y in zip(xs, ys, strict=True)]


def analyse(capture: Sequence[tuple[float, bytes]], rate_bps: int) -> CaptureReport:
    """Check a capture of ``(arrival seconds, datagram)`` sent at ``rate_bps``."""
    report = CaptureReport(datagrams=len(capture))
    if not capture:
        return report
    report.seconds = capture[-1][0] - capture[0][0]
    last_cc: dict[int, int] = {}
    last_seen: dict[int, float] = {}
    pcrs: list[tuple[float, int, int, bool]] = []  # arrival, byte position, PCR, flagged
    nulls = total = 0
    pos = 0
    for arrival, datagram in capture:
        if len(datagram) != DATAGRAM_BYTES:
            report.wrong_sizes += 1
        for off in range(0, len(datagram) - ts.PACKET_SIZE + 1, ts.PACKET_SIZE):
            pkt = datagram[off : off + ts.PACKET_SIZE]
            total += 1
            pos += ts.PACKET_SIZE
            if pkt[0] != ts.SYNC_BYTE:
                report.sync_errors += 1
                continue
            pid = (pkt[1] & 0x1F) << 8 | pkt[2]
            if pid == ts.NULL_PID:
                nulls += 1
                continue
            has_af, has_payload = bool(pkt[3] & 0x20), bool(pkt[3] & 0x10)
            flagged = has_af and pkt[4] > 0 and bool(pkt[5] & 0x80)
            cc = pkt[3] & 0x0F
            if pid in last_cc and not flagged:
                want = (last_cc[pid] + 1) & 0x0F if has_payload else last_cc[pid]
                report.cc_errors += cc != want
            last_cc[pid] = cc
            if pkt[1] & 0x40 or pid in (ts.VIDEO_PID, ts.AUDIO_PID):
                if pid in last_seen:
                    gap = arrival - last_seen[pid]
                    report.interval_max_s[pid] = max(report.interval_max_s.get(pid, 0), gap)
                last_seen[pid] = arrival
            if has_af and pkt[4] >= 7 and pkt[5] & 0x10:
                ext = ((pkt[10] & 0x01) << 8) | pkt[11]
                pcr = ts.decode_pcr(pkt[6:12]) * 300 + ext
                pcrs.append((arrival, pos, pcr, flagged))
                report.discontinuities += flagged
            if pid == ts.SDT_PID and pkt[1] & 0x40:
                report.service_names.add(_sdt_names(pkt))
    report.null_share = nulls / total if total else 0.0
    wmin, wmax, fmin, fmax = _windows([a for a, _ in capture], rate_bps)
    report.window_min, report.window_max = wmin, wmax
    report.fluid_window_min, report.fluid_window_max = fmin, fmax
    _pcr_checks(report, pcrs, rate_bps)
    return report


def _pcr_checks(report: CaptureReport, pcrs: list[tuple[float, int, int, bool]],
                rate_bps: int) -> None:  # fmt: skip
    report.pcr_count = len(pcrs)
    for (_, _, a, _), (_, _, b, flagged) in zip(pcrs, pcrs[1:], strict=False):
        step = ((b - a) % ts.PCR_WRAP) / 27e6
        if not flagged and step > PCR_DISCONTINUITY_S:
            report.pcr_discontinuity_errors += 1
    residuals: list[float] = []
    for run in _pcr_runs(pcrs):
        if len(run) < 3:
            continue
        residuals += _fit_residuals(run)
        for (ta, pa, ca), (tb, pb, cb) in zip(run, run[1:], strict=False):
            report.pcr_interval_max_ms = max(report.pcr_interval_max_ms, (tb - ta) * 1000)
            expected = (pb - pa) * 8 / rate_bps * 27e6
            error_ns = abs(((cb - ca) % ts.PCR_WRAP) - expected) / 27e6 * 1e9
            report.pcr_accuracy_max_ns = max(report.pcr_accuracy_max_ns, error_ns)
    spread = [abs(r) for r in residuals]
    report.pcr_jitter_p50_ms = _percentile(spread, 0.50) * 1000
    report.pcr_jitter_p99_ms = _percentile(spread, 0.99) * 1000
    report.pcr_jitter_max_ms = max(spread, default=0.0) * 1000


def _sdt_names(pkt: bytes) -> tuple[bytes, bytes]:
    """(provider, service) name bytes of the first service in an SDT packet."""
    payload = 5 + pkt[4] if pkt[3] & 0x20 else 4
    section = pkt[payload + 1 + pkt[payload] :]  # after the pointer field
    d = 11 + 5  # section header, network id, reserved; service id, flags, loop length
    if len(section) < d + 4 or section[d] != 0x48:
        return b"", b""
    plen = section[d + 3]
    provider = section[d + 4 : d + 4 + plen]
    slen = section[d + 4 + plen]
    return provider, section[d + 5 + plen : d + 5 + plen + slen]
