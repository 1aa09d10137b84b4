#!/usr/bin/env bash
# Give the real-capture tests (tests/test_record.py) a sound card: install PortAudio and
# PulseAudio, start a PulseAudio server (as root is fine) with a null sink "coach", and make that
# sink's monitor the default source, so what is played into "coach" is what PortAudio records.
# Idempotent: safe to run again while the server is up.
set -euo pipefail

packages="pulseaudio pulseaudio-utils libportaudio2 libasound2-plugins"
if ! dpkg -s $packages >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi

if ! pactl info >/dev/null 2>&1; then
    # Warns "not intended to be run as root" and runs; --system would refuse client modules.
    pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit --log-target=stderr 2>/dev/null
    for _ in $(seq 50); do
        pactl info >/dev/null 2>&1 && break
        sleep 0.2
    done
    pactl info >/dev/null
fi

if ! pactl list short sinks | grep -q "^[0-9]*[[:space:]]coach[[:space:]]"; then
    pactl load-module module-null-sink sink_name=coach sink_properties=device.description=coach >/dev/null
fi
pactl set-default-sink coach
pactl set-default-source coach.monitor
echo "setup-audio: PulseAudio running; default sink 'coach', default source 'coach.monitor'"
