#!/bin/sh
# Never answers in time: a child sleeps while holding stdout (tests the group kill).
sleep 30 &
wait
