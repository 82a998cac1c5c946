"""Times identity checks end to end through the API: POST /v1/checks to `complete`, polling every
few milliseconds, for a live key (the face engine on the specimen passport and the Collins
photo) and for a test key (the sandbox: the same request path with no engine) as the baseline.

    python3 identity_latency.py URL LIVE_KEY TEST_KEY [CHECKS]

Standard library only. Prints p50 and p99 (nearest rank) for each, and the ratio.
"""

import base64
import json
import math
import pathlib
import sys
import time
import urllib.request

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures"


def call(url, key, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method,
                                     headers={"Authorization": key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def b64(name):
    return base64.b64encode((FIXTURES / name).read_bytes()).decode()


def setup(url, key):
    client = call(url, key, "POST", "/v1/clients", {
        "type": "person", "email": "bench@example.org",
        "personDetails": {"firstName": "Anna", "lastName": "Eriksson"}})["id"]
    doc = call(url, key, "POST", "/v1/documents",
               {"clientId": client, "type": "passport", "issuingCountry": "GB"})["id"]
    call(url, key, "POST", f"/v1/documents/{doc}/upload/front",
         {"fileName": "passport.jpg", "data": b64("synthetic_passport_td3_specimen.jpg")})
    photo = call(url, key, "POST", "/v1/livePhotos", {"clientId": client, "data": b64("face_collins.jpg")})["id"]
    return {"clientId": client, "type": "identity_check", "documentId": doc, "livePhotoId": photo}


def one(url, key, request):
    started = time.perf_counter()
    check = call(url, key, "POST", "/v1/checks", request)
    while check["status"] == "pending":
        time.sleep(0.002)
        check = call(url, key, "GET", f"/v1/checks/{check['id']}")
    elapsed = (time.perf_counter() - started) * 1e3
    assert check["status"] == "complete", check
    return elapsed, check["result"]["outcome"]


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def measure(url, key, checks):
    request = setup(url, key)
    one(url, key, request)  # warm-up: the first live check loads the models
    times, outcomes = [], set()
    for _ in range(checks):
        elapsed, outcome = one(url, key, request)
        times.append(elapsed)
        outcomes.add(outcome)
    return percentile(times, 50), percentile(times, 99), outcomes


def main():
    url, live_key, test_key = sys.argv[1:4]
    checks = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    live = measure(url, live_key, checks)
    sandbox = measure(url, test_key, checks)
    print(f"identity_check POST -> complete, {checks} checks one at a time:")
    print(f"  live (face engine)  p50 {live[0]:7.1f} ms  p99 {live[1]:7.1f} ms  outcomes {sorted(live[2])}")
    print(f"  test (sandbox)      p50 {sandbox[0]:7.1f} ms  p99 {sandbox[1]:7.1f} ms")
    print(f"  live / sandbox p50: {live[0] / sandbox[0]:.1f}")


if __name__ == "__main__":
    main()
