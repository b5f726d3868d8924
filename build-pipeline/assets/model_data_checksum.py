"""Records what a training job produced: the SHA-256 of the model data given to this processing job.

Part of the Slipway pipeline SDK (build-pipeline), not of the project's ML code: `modelDataChecksumStep`
runs it after a training step, and the RegisterModel step records the checksum in the version's
CustomerMetadataProperties. The deploy logic refuses a version whose model data no longer has it.

Input: the model data at /opt/ml/processing/model (one file, e.g. model.tar.gz).
Output: /opt/ml/processing/checksum/checksum.json, {"sha256": "<hex>", "file": "<name>", "bytes": <size>}.
Standard library only, so it runs in any Python 3 image.
"""

import hashlib
import json
import os
import sys

CHUNK = 1024 * 1024


def base(*parts):
    """A path under /opt/ml, or under $SAGEMAKER_BASE_DIR when a local runner moved the tree."""
    return os.path.join(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml"), *parts)


def main():
    model_dir = base("processing", "model")
    output_dir = base("processing", "checksum")
    files = sorted(
        os.path.join(root, name) for root, _dirs, names in os.walk(model_dir) for name in names
    )
    if len(files) != 1:
        sys.exit(f"model_data_checksum: expected one model data file in {model_dir}, found {len(files)}")
    digest = hashlib.sha256()
    size = 0
    with open(files[0], "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    os.makedirs(output_dir, exist_ok=True)
    report = {"sha256": digest.hexdigest(), "file": os.path.basename(files[0]), "bytes": size}
    with open(os.path.join(output_dir, "checksum.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle)
    print(f"model_data_checksum: {report['file']} ({size} bytes) sha256={report['sha256']}")


if __name__ == "__main__":
    main()
