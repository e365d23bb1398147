#!/usr/bin/env bash
# Start gammu-smsd for one modem (the Procfile's "sms" process is modem 1).
#   scripts/gammu-smsd.sh [N]     N = the modem's place in VILLAGECAST_SMS_MODEMS (default 1)
# Each modem has its own daemon, spool ($VILLAGECAST_DATA/sms, sms2, …) and config,
# generated from the app's settings; with a second modem configured, add a Procfile line
# "sms2: scripts/gammu-smsd.sh 2" so supervisord restarts each daemon on its own.
# With no device configured it drives gammu's dummy phone (demo mode; make a message
# "arrive" with: .venv/bin/python -m publisher.sms.dummy_phone 13800000001 "去向 张家村").
set -euo pipefail
cd "$(dirname "$0")/.."
export VILLAGECAST_DATA="${VILLAGECAST_DATA:-$PWD/data}"
modem="${1:-1}"
if ! command -v gammu-smsd >/dev/null; then
  echo "gammu-smsd is not installed (apt-get install gammu-smsd)" >&2
  exit 1
fi
# gammu-smsd logs every number it handles: publisher.sms.smsd runs it with the log redacted
# (into the spool's gammu-smsd.log and stdout) and passes our stop signal on to it.
exec .venv/bin/python -m publisher.sms.smsd "$modem"
