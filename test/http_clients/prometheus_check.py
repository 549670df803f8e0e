"""GET /metrics read by Prometheus's own parser (Debian's python3-prometheus-client): the
text exposition 0.0.4 parses, every family is sluice_*, counters and gauges as declared, and
the counters agree with the traffic the suite sent before (ab's 2,000 requests).
    prometheus_check.py --port N        exit 0 when every check holds"""
import argparse
import http.client
import sys

from prometheus_client.parser import text_string_to_metric_families

EXPECTED = {  # family (the parser drops a counter's _total) -> type
    "sluice_connections_open": "gauge",
    "sluice_connections_accepted": "counter",
    "sluice_connections_rejected": "counter",
    "sluice_ws_handshakes": "counter",
    "sluice_http_responses": "counter",
    "sluice_ws_messages_received": "counter",
    "sluice_ws_messages_sent": "counter",
    "sluice_ws_received_bytes": "counter",
    "sluice_ws_sent_bytes": "counter",
    "sluice_sends_dropped": "counter",
    "sluice_ws_closes": "counter",
    "sluice_topic_subscriptions": "gauge",
    "sluice_publishes": "counter",
    "sluice_publish_deliveries": "counter",
    "sluice_publishes_missed": "counter",
    "sluice_ws_pings_sent": "counter",
    "sluice_ws_pongs_received": "counter",
    "sluice_memory_shed": "counter",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    port = ap.parse_args().port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/metrics")
    resp = conn.getresponse()
    body = resp.read().decode("utf-8")
    errors = []
    if resp.status != 200:
        errors.append(f"status {resp.status}")
    if resp.getheader("Content-Type") != "text/plain; version=0.0.4; charset=utf-8":
        errors.append(f"Content-Type {resp.getheader('Content-Type')}")
    families = {f.name: f for f in text_string_to_metric_families(body)}
    for name, kind in EXPECTED.items():
        if name not in families:
            errors.append(f"missing {name}")
        elif families[name].type != kind:
            errors.append(f"{name} is a {families[name].type}, not a {kind}")
    for name in families:
        if not name.startswith("sluice_"):
            errors.append(f"not a sluice_ metric: {name}")
    responses = {s.labels.get("class"): s.value for s in families["sluice_http_responses"].samples}
    if responses.get("2xx", 0) < 2000:
        errors.append(f"2xx responses {responses.get('2xx')} < the 2,000 ab sent")
    open_http = [s.value for s in families["sluice_connections_open"].samples if s.labels.get("kind") == "http"]
    if open_http != [1.0]:
        errors.append(f"open http connections {open_http}, want [1.0] (this one)")
    for e in errors:
        print(e)
    print(f"{len(families)} families parsed, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
