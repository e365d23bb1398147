#!/usr/bin/env bash
# Start gammu-smsd on the SMS spool (the Procfile's "sms" process).
# The config is generated under $VILLAGECAST_DATA/sms from the app's settings: with
# VILLAGECAST_GAMMU_DEVICE unset it drives gammu's dummy phone (demo mode; make a message
# "arrive" with: .venv/bin/python -m publisher.sms.dummy_phone 13800000001 "去向 张家村").
set -euo pipefail
cd "$(dirname "$0")/.."
export VILLAGECAST_DATA="${VILLAGECAST_DATA:-$PWD/data}"
if ! command -v gammu-smsd >/dev/null; then
  echo "gammu-smsd is not installed (apt-get install gammu-smsd)" >&2
  exit 1
fi
config=$(.venv/bin/python -m publisher.sms.gammu_config)
echo "gammu-smsd: config $config"
exec gammu-smsd -c "$config"
