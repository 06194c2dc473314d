#!/bin/sh
# Reads its input, then fails the way a broken integrator command does.
cat > /dev/null
echo "uci: Entry not found (wireless.@wifi-iface[7])" >&2
echo "second line, never logged" >&2
exit 3
