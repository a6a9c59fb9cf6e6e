#!/usr/bin/env python3
"""Generate examples/logs/sample-access.log.gz: a deterministic nginx `combined` access log of
a small API behind a per-organisation rate limit, for `throttlelab replay` (docs/replay.md).

The traffic: 8 organisations (`/v1/orgs/<org>/...`), 5 client addresses each; every client
sends Poisson requests (rates differ by organisation, one organisation runs a burst job from
minute 4 to 6). The server that wrote the log had a token bucket per organisation, 4/s with a
burst of 20; a refused request got a 429 and its client retried after 1 s, 2 s, 4 s (at most
3 retries, exponential backoff), each retry a line of its own. Lines are in time order, one
request each, times in UTC with second resolution as nginx's $time_local writes them.

    python3 scripts/gen-sample-log.py | gzip -9n > examples/logs/sample-access.log.gz
"""
import heapq
import random
import sys

SEED = 17
START = 1_700_000_000  # 2023-11-14T22:13:20Z
DURATION = 600  # seconds
ORGS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell"]
RATE = {o: r for o, r in zip(ORGS, [2.0, 1.5, 1.0, 0.8, 0.6, 0.4, 0.3, 0.2])}  # per org, all clients
BURST_ORG, BURST_FROM, BURST_TO, BURST_RATE = "globex", 240, 360, 8.0
BUCKET_RATE, BUCKET_BURST = 4.0, 20.0
RETRIES = [1.0, 2.0, 4.0]
# every request names its own resource, so that a retry (same method and path) can be told
# from a fresh request: what `replay --fit-retries` needs
PATHS = ["items/{n}", "items/{n}", "search/{n}", "reports/{n}"]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def clf(t):
    import time

    g = time.gmtime(int(t))
    return f"{g.tm_mday:02d}/{MONTHS[g.tm_mon - 1]}/{g.tm_year}:{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} +0000"


def main():
    rng = random.Random(SEED)
    events = []  # (time, seq, org, ip, path, attempt)
    seq = 0
    for oi, org in enumerate(ORGS):
        for c in range(5):
            ip = f"198.51.100.{oi * 5 + c + 10}"
            t = 0.0
            while True:
                rate = RATE[org] / 5
                if org == BURST_ORG and BURST_FROM <= t < BURST_TO:
                    rate += BURST_RATE / 5
                t += rng.expovariate(rate)
                if t >= DURATION:
                    break
                p = rng.choice(PATHS).replace("{n}", str(rng.randrange(1, 1_000_000)))
                heapq.heappush(events, (t, seq, org, ip, f"/v1/orgs/{org}/{p}", 0))
                seq += 1
    tokens = {o: BUCKET_BURST for o in ORGS}
    seen = {o: 0.0 for o in ORGS}
    out = sys.stdout
    while events:
        t, _, org, ip, path, attempt = heapq.heappop(events)
        tokens[org] = min(BUCKET_BURST, tokens[org] + (t - seen[org]) * BUCKET_RATE)
        seen[org] = t
        if tokens[org] >= 1.0:
            tokens[org] -= 1.0
            status, size = 200, rng.randrange(200, 4000)
        else:
            status, size = 429, 0
            if attempt < len(RETRIES):
                heapq.heappush(events, (t + RETRIES[attempt], seq, org, ip, path, attempt + 1))
                seq += 1
        method = "POST" if "/search/" in path else "GET"
        out.write(
            f'{ip} - - [{clf(START + t)}] "{method} {path} HTTP/1.1" {status} {size} "-" '
            f'"sample-client/1.0"\n'
        )


if __name__ == "__main__":
    main()
