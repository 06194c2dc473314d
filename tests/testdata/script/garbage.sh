#!/bin/sh
# Prints something that is not the protocol.
cat > /dev/null
echo "hello world"
echo "Device.Time.NTPServer1 no tab here"
