#!/usr/bin/env python3
"""How long monitoring.py's drift check takes over an endpoint's captured traffic (issue 15: 100,000 captured
records in at most 10 s on 2 cores).

    .venv/bin/python seed/bench/drift_check.py [--records 100000] [--per-request 1] [--runs 3]

Trains the seed model on the committed reviews (train.py's build_model), computes its baseline with
`monitoring.py baseline` on a held-out part, then writes --records capture records in Model Monitor's JSON Lines
format (the model's real answers to generated reviews, one file per simulated minute, in the
<endpoint>/<variant>/yyyy/mm/dd/hh layout) and times `python3 monitoring.py check` over them as a separate process,
the way the scheduled check and `slipway monitor run` start it: wall time from start to exit, reading every file,
the statistics, the comparison and the reports. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SEED_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The seed tests' helpers put seed/ and seed/data/ on sys.path and generate labelled reviews.
sys.path.insert(0, os.path.join(SEED_DIR, "tests"))

from helpers import labelled_rows as rows  # noqa: E402
import inference  # noqa: E402
import monitoring  # noqa: E402
import train  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--per-request", type=int, default=1, help="reviews per captured request")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="slipway-bench-drift-")
    import joblib

    training = rows(3000, seed=1)
    model = train.build_model(max_features=20000, ngram_max=2, min_df=2, regularization=4.0)
    model.fit([row.text for row in training], [row.label for row in training])
    model_dir = os.path.join(work, "model")
    os.makedirs(model_dir)
    joblib.dump(model, os.path.join(model_dir, "model.joblib"))
    validation = os.path.join(work, "validation")
    os.makedirs(validation)
    with open(os.path.join(validation, "validation.csv"), "w", encoding="utf-8", newline="") as handle:
        import csv

        writer = csv.writer(handle)
        writer.writerow(["label", "text"])
        writer.writerows([row.label, row.text] for row in rows(1000, seed=2))
    baseline = os.path.join(work, "baseline")
    assert monitoring.main(["baseline", "--model-dir", model_dir, "--data-dir", validation, "--evaluate-dir", SEED_DIR,
                            "--output-dir", baseline]) == 0

    # The traffic: a pool of generated reviews and the model's answers, written as capture records.
    pool = [row.text for row in rows(5000, seed=3)]
    answers = inference.predict_fn(pool, model)
    chooser = random.Random(4)
    capture = os.path.join(work, "capture")
    started = time.time()
    written = 0
    per_file = 2000
    while written < args.records:
        minute = written // per_file
        folder = os.path.join(capture, "sentiment-prod", "AllTraffic", "2026", "12", "04", "%02d" % (10 + minute // 60))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "%02d-00-000-bench.jsonl" % (minute % 60)), "w", encoding="utf-8") as handle:
            for _ in range(min(per_file, args.records - written)):
                picks = [chooser.randrange(len(pool)) for _ in range(args.per_request)]
                request = json.dumps({"instances": [pool[i] for i in picks]})
                response = json.dumps({"predictions": [answers[i] for i in picks]}, separators=(",", ":"))
                handle.write(json.dumps({
                    "captureData": {
                        "endpointInput": {"observedContentType": "application/json", "mode": "INPUT",
                                          "data": request, "encoding": "JSON"},
                        "endpointOutput": {"observedContentType": "application/json", "mode": "OUTPUT",
                                           "data": response, "encoding": "JSON"},
                    },
                    "eventMetadata": {"eventId": "bench-%d" % written, "inferenceTime": "2026-12-04T10:30:00Z"},
                    "eventVersion": "0",
                }) + "\n")
                written += 1
    size = sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(capture) for name in names)
    print("wrote %d capture records (%d reviews each, %.1f MB) in %.1f s"
          % (written, args.per_request, size / 1e6, time.time() - started))

    timings = []
    cpu = []
    for run in range(args.runs):
        output = os.path.join(work, "out-%d" % run)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        result = subprocess.run([sys.executable, os.path.join(SEED_DIR, "monitoring.py"), "check", "--baseline-dir",
                                 baseline, "--capture-dir", capture, "--output-dir", output],
                                capture_output=True, text=True)
        timings.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
        if result.returncode != 0:
            print(result.stderr)
            shutil.rmtree(work, ignore_errors=True)
            return 1
        with open(os.path.join(output, "drift_report.json")) as handle:
            report = json.load(handle)
    print("drift check over %d captured records (%d reviews): median %.2f s, min %.2f s, max %.2f s over %d runs "
          "(target <= 10 s on 2 cores); drifted: %s"
          % (written, report["item_count"], statistics.median(timings), min(timings), max(timings), args.runs,
             ", ".join(report["drifted"]) or "nothing"))
    print("CPU time of the check (all its processes): median %.2f s, so about %.1f s of wall time on 2 idle cores"
          % (statistics.median(cpu), statistics.median(cpu) / 2))
    print("machine: %d CPUs, load average %s" % (os.cpu_count() or 0, " ".join("%.1f" % v for v in os.getloadavg())))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
