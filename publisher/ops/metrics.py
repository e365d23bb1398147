"""``/metrics`` in the Prometheus text format: a custom collector over the readings.

Why a collector that reads at scrape time rather than metrics kept by each process (or
prometheus-client's multiprocess mode): the processes worth watching, playout and the clock,
are not the web process and may run on other machines; multiprocess mode only joins
processes of one machine through a shared directory, and would put metric code in the
playout's segment loop. What they do is already recorded in the database and in the status
files the admin reads (see :mod:`publisher.ops.readings`), so a scrape reads those, and the
metrics cannot disagree with the admin's pages. Labels carry channel slugs, job kinds and
lanes, never a name, number or address of a person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from publisher.ops.readings import Readings

PREFIX = "villagecast"
UDP_STATES = ("off", "sending", "error")


def _gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", doc, labels=list(labels))


class ReadingsCollector:
    """Turns one :class:`Readings` (taken when Prometheus asks) into metric families."""

    def __init__(self, read: Callable[[], Readings]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        r = self.read()
        up = _gauge("database_up", "1 if the database answered this scrape")
        up.add_metric([], 1 if r.database_ok else 0)
        yield up
        yield from self._feeds(r)
        beat = _gauge("process_heartbeat_age_seconds",
                      "Seconds since the process last beat (this machine)", ("process",))
        for name, age in r.heartbeat_age_s.items():
            if age is not None:
                beat.add_metric([name], age)
        yield beat
        if not r.database_ok:
            return
        nodes = _gauge("playout_nodes", "Playout nodes that renewed their presence lately")
        nodes.add_metric([], r.playout_nodes)
        yield nodes
        yield from self._queues(r)

    def _feeds(self, r: Readings) -> Iterator[Metric]:
        ch = ("channel",)
        on_air = _gauge("feed_on_air", "1 if the channel published a segment lately", ch)
        planned = _gauge("feed_planned", "1 if the channel has a plan (playout airs it)", ch)
        age = _gauge("feed_last_segment_age_seconds", "Seconds since the last segment", ch)
        late = _gauge("feed_segment_lateness_seconds",
                      "How long after its due time the last segment was written", ch)
        udp = _gauge("feed_udp_state", "1 for the UDP output's current state", ("channel", "state"))
        dropped = CounterMetricFamily(f"{PREFIX}_feed_udp_late_datagrams",
                                      "Datagrams the paced sender dropped as late", labels=ch)
        as_run = _gauge("as_run_age_seconds", "Seconds since the last as-run entry began", ch)
        for f in r.feeds:
            on_air.add_metric([f.slug], 1 if f.on_air else 0)
            planned.add_metric([f.slug], 1 if f.planned else 0)
            if f.last_segment_age_s is not None:
                age.add_metric([f.slug], f.last_segment_age_s)
            if f.lateness_s is not None:
                late.add_metric([f.slug], f.lateness_s)
            for state in UDP_STATES:
                udp.add_metric([f.slug, state], 1 if f.udp_state == state else 0)
            dropped.add_metric([f.slug], f.udp_late_datagrams)
            if f.as_run_age_s is not None:
                as_run.add_metric([f.slug], f.as_run_age_s)
        yield from (on_air, planned, age, late, udp, dropped, as_run)

    def _queues(self, r: Readings) -> Iterator[Metric]:
        depth = _gauge("render_queue_depth", "Approved versions waiting for their render",
                       ("lane",))
        for lane, count in r.render_queue.items():
            depth.add_metric([lane], count)
        yield depth
        channels = _gauge("render_channels_waiting",
                          "Channel renders still to do (a version counts once per channel)")
        channels.add_metric([], r.render_channels_waiting)
        yield channels
        yield from _optional("render_queue_oldest_seconds",
                             "Age of the oldest approval waiting for its render", r.render_oldest_s)
        queued = _gauge("jobs_queued", "Background jobs (pre-render, encode …) waiting", ("kind",))
        running = _gauge("jobs_running", "Background jobs being worked", ("kind",))
        for kind, count in r.jobs_queued.items():
            queued.add_metric([kind], count)
        for kind, count in r.jobs_running.items():
            running.add_metric([kind], count)
        yield from (queued, running)
        yield from _optional("jobs_oldest_queued_seconds", "Age of the oldest queued job",
                             r.jobs_oldest_s)
        sms = _gauge("sms_queue_depth", "Outbound SMS not yet sent (stored, handing over, outbox)")
        sms.add_metric([], r.sms_waiting)
        yield sms
        yield from _optional("sms_queue_oldest_seconds", "Age of the oldest outbound SMS waiting",
                             r.sms_oldest_s)
        incidents = _gauge("emergency_open_incidents", "Emergency calls not yet resolved")
        incidents.add_metric([], r.incidents_open)
        yield incidents


def _optional(name: str, doc: str, value: float | None) -> Iterator[Metric]:
    """A gauge with one sample, or none at all when there is nothing to measure."""
    metric = _gauge(name, doc)
    if value is not None:
        metric.add_metric([], value)
    yield metric


def registry_for(read: Callable[[], Readings]) -> CollectorRegistry:
    """A registry holding only our collector (no process metrics of the web worker)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ReadingsCollector(read))
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
