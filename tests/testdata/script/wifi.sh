#!/bin/sh
# Fake integrator command for tests: Device.WiFi.SSID.{i}. kept as files in $STATE_DIR
# ($STATE_DIR/<n>/SSID, $STATE_DIR/<n>/Enable). Usage: wifi.sh get|set|list|add|delete.
# set is all or nothing: every line is checked before anything is written; the value
# "reboot" makes it exit 1 (applied after reboot), "explode" makes it fail with exit 3.
# Every run appends its operation to $STATE_DIR/runs (so tests can count processes).
set -eu
echo "$1" >> "$STATE_DIR/runs"
row_of() { # Device.WiFi.SSID.3.SSID -> "3 SSID"
  rest=${1#Device.WiFi.SSID.}
  echo "${rest%%.*} ${rest#*.}"
}
case "$1" in
get)
  while IFS= read -r path; do
    set -- $(row_of "$path")
    [ -d "$STATE_DIR/$1" ] || continue # the row went away: say nothing
    [ -f "$STATE_DIR/$1/$2" ] || { echo "no such parameter: $path" >&2; exit 4; }
    printf '%s\t%s\n' "$path" "$(cat "$STATE_DIR/$1/$2")"
  done
  ;;
set)
  tab=$(printf '\t')
  lines=$(cat)
  status=0
  # Check everything first.
  echo "$lines" | while IFS="$tab" read -r path value; do
    set -- $(row_of "$path")
    [ -f "$STATE_DIR/$1/$2" ] || { echo "no such parameter: $path" >&2; exit 4; }
    [ "$value" != explode ] || { echo "cannot apply $path: exploded" >&2; exit 3; }
  done || exit $?
  case "$lines" in *"${tab}reboot"*) status=1 ;; esac
  echo "$lines" | while IFS="$tab" read -r path value; do
    set -- $(row_of "$path")
    printf '%s' "$value" > "$STATE_DIR/$1/$2"
  done
  exit $status
  ;;
list)
  [ "$CWMP_TABLE" = Device.WiFi.SSID. ] || { echo "wrong table $CWMP_TABLE" >&2; exit 5; }
  ls "$STATE_DIR" | grep -E '^[0-9]+$' | sort -n
  ;;
add)
  last=$(ls "$STATE_DIR" | grep -E '^[0-9]+$' | sort -n | tail -n 1)
  n=$(( ${last:-0} + 1 ))
  mkdir "$STATE_DIR/$n"
  printf 'new%s' "$n" > "$STATE_DIR/$n/SSID"
  printf 'false' > "$STATE_DIR/$n/Enable"
  echo "$n"
  ;;
delete)
  n=${CWMP_INSTANCES##* }
  [ -d "$STATE_DIR/$n" ] || { echo "no row $CWMP_ROW" >&2; exit 6; }
  rm -r "$STATE_DIR/$n"
  ;;
*)
  echo "unknown operation $1" >&2
  exit 2
  ;;
esac
