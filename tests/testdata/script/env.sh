#!/bin/sh
# Prints its whole environment as get output for Device.Time.LocalTimeZone (tests that
# only the documented variables reach integrator commands).
cat > /dev/null
printf 'Device.Time.LocalTimeZone\t%s\n' "$(env | sort | tr '\n' ' ')"
