"""Upload throughput and latency against a running Clearance, next to plain file writes of the same
bytes (write + fsync), both with the same number of concurrent workers. Prints one table."""

import base64
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time

host, port, key, image_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
count, workers = int(sys.argv[5]), int(sys.argv[6])
image = open(image_path, "rb").read()


def request(conn, method, path, body=None):
    headers = {"Authorization": key, "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise SystemExit(f"{method} {path}: {response.status} {data[:200]!r}")
    return json.loads(data)


setup = http.client.HTTPConnection(host, port)
client = request(setup, "POST", "/v1/clients", {"type": "person", "email": "bench@example.org",
                                                "personDetails": {"firstName": "Bench", "lastName": "Mark"}})
docs = [request(setup, "POST", "/v1/documents", {"clientId": client["id"], "type": "passport"})["id"]
        for _ in range(workers)]
payload = {"fileName": "bench.jpg", "data": base64.b64encode(image).decode()}


def run(job):
    latencies, lock, next_index = [], threading.Lock(), [0]

    def worker(n):
        state = job.setup(n)
        while True:
            with lock:
                if next_index[0] >= count:
                    return
                next_index[0] += 1
            started = time.perf_counter()
            job.once(state, n)
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return count * len(image) / wall / 1e6, statistics.median(latencies) * 1000, p99 * 1000


class Upload:
    def setup(self, n):
        return http.client.HTTPConnection(host, port)

    def once(self, conn, n):
        request(conn, "POST", f"/v1/documents/{docs[n]}/upload/front", payload)


class FileWrite:
    folder = tempfile.mkdtemp()

    def setup(self, n):
        return os.path.join(self.folder, f"w{n}")

    def once(self, path, n):
        with open(path, "wb") as f:
            f.write(image)
            f.flush()
            os.fsync(f.fileno())


upload = run(Upload())
plain = run(FileWrite())
print(f"\nUpload benchmark — {os.cpu_count()} cores, {count} uploads of a {len(image)/1e6:.2f} MB JPEG, "
      f"{workers} concurrent workers")
print(f"{'operation':<40}{'MB/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs file write':>16}")
print(f"{'plain file write + fsync':<40}{plain[0]:>10.1f}{plain[1]:>10.1f}{plain[2]:>10.1f}{1:>16.2f}")
print(f"{'POST /v1/documents/:id/upload/front':<40}{upload[0]:>10.1f}{upload[1]:>10.1f}{upload[2]:>10.1f}"
      f"{upload[0] / plain[0]:>16.2f}")
