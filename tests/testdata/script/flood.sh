#!/bin/sh
# Prints far more than max_output_bytes.
cat > /dev/null
yes "Device.Time.NTPServer1	x"
