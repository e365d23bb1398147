"""The journal a press is kept in when the disk is full: slots, repeats, torn records."""

from __future__ import annotations

from datetime import UTC, datetime

from publisher.emergency import press_journal
from publisher.emergency.press_journal import SLOT_BYTES, SLOTS

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_nothing_is_kept_without_a_journal_made_in_advance(tmp_path):
    assert press_journal.keep(tmp_path, 1, "k1", AT) is False
    assert press_journal.kept(tmp_path) == []


def test_kept_presses_come_back_oldest_first_and_a_repeat_takes_no_slot(tmp_path):
    assert press_journal.ensure(tmp_path)
    size = (tmp_path / press_journal.JOURNAL_NAME).stat().st_size
    assert press_journal.keep(tmp_path, 2, "late", AT.replace(minute=5))
    assert press_journal.keep(tmp_path, 1, "early", AT)
    assert press_journal.keep(tmp_path, 1, "early", AT)  # the device pressed again
    assert [(p.device_id, p.key, p.at) for p in press_journal.kept(tmp_path)] == [
        (1, "early", AT), (2, "late", AT.replace(minute=5))]
    assert (tmp_path / press_journal.JOURNAL_NAME).stat().st_size == size  # no growth
    first = press_journal.kept(tmp_path)[0]
    press_journal.clear(tmp_path, first)
    assert [p.key for p in press_journal.kept(tmp_path)] == ["late"]


def test_a_full_journal_refuses_and_a_torn_record_is_ignored(tmp_path):
    press_journal.ensure(tmp_path)
    for n in range(SLOTS):
        assert press_journal.keep(tmp_path, 1, f"k{n}", AT)
    assert press_journal.keep(tmp_path, 1, "one-too-many", AT) is False
    path = tmp_path / press_journal.JOURNAL_NAME
    with open(path, "r+b") as fh:  # a power cut in the middle of writing slot 3
        fh.seek(3 * SLOT_BYTES + 20)
        fh.write(b"\0" * 10)
    assert len(press_journal.kept(tmp_path)) == SLOTS - 1
    assert press_journal.keep(tmp_path, 1, "in-the-torn-slot", AT)
