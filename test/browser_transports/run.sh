#!/usr/bin/env bash
# The push transports in headless Chromium (test/browser/transports_test.mjs): the real
# EventSource resuming after the server drops it, and the chat page's fallback client forced
# onto WebSocket, SSE and long-polling. The browser suite's runner with another driver.
exec "$(cd "$(dirname "$0")" && pwd)/../browser/run.sh" "${1:-build}" transports_test.mjs
