"""S3 as boto3 uses it, against the local server (issue 10, part 3): managed transfers (multipart above 8 MiB),
the resource API and paginators (ListObjects v1 and v2), CopyObject and multipart copies, DeleteObjects, ranges,
parts and conditions, multipart uploads by hand, and every key S3 accepts kept exactly.

Each test gets a fresh bucket; the session's server is the suite's (conftest.py). The tests of S3's semantics
run against moto's S3 too (in-process, on 127.0.0.1), so the local server is held to what moto answers; the
transfer tests of 100 MiB and the checksum tests run against the local server only.
"""
import hashlib
import os
import uuid

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield "http://%s:%d" % (host, port)
    finally:
        server.stop()


@pytest.fixture(params=["local", "moto"])
def target(request, aws):
    """(session, endpoint URL, name): the local server (AWS_ENDPOINT_URL, from conftest), or moto's S3."""
    if request.param == "local":
        return aws, None, "local"
    import boto3

    endpoint = request.getfixturevalue("moto_endpoint")
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    return session, endpoint, "moto"


def _moto(target):
    """True against moto: a few of S3's documented answers moto does not give (each use says which)."""
    return target[2] == "moto"


@pytest.fixture
def s3(target):
    session, endpoint, _ = target
    return session.client("s3", endpoint_url=endpoint)


@pytest.fixture
def s3_resource(target):
    session, endpoint, _ = target
    return session.resource("s3", endpoint_url=endpoint)


@pytest.fixture
def local_s3(aws):
    return aws.client("s3")


@pytest.fixture
def local_bucket(local_s3):
    name = "s3-%s" % uuid.uuid4().hex[:12]
    local_s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def bucket(s3):
    name = "s3-%s" % uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    return name


def _file(path, size, seed):
    """A file of `size` pseudo-random bytes (written in 1 MiB blocks), and its SHA-256."""
    digest = hashlib.sha256()
    block = hashlib.sha256(seed.encode()).digest() * (MIB // 32)
    with open(path, "wb") as handle:
        left = size
        counter = 0
        while left > 0:
            piece = (counter.to_bytes(8, "big") + block)[: min(MIB, left)]
            handle.write(piece)
            digest.update(piece)
            left -= len(piece)
            counter += 1
    return digest.hexdigest()


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(MIB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _no_such_upload(target):
    """S3 answers NoSuchUpload for a completed or aborted upload; moto often answers a 500 instead."""
    return ("NoSuchUpload", "500") if _moto(target) else ("NoSuchUpload",)


def _code(error):
    return error.value.response["Error"]["Code"]


def test_upload_file_and_download_file_of_100_mib_go_through_multipart(local_s3, local_bucket, tmp_path):
    source = tmp_path / "big.bin"
    expected = _file(source, 100 * MIB, "hundred")
    local_s3.upload_file(str(source), local_bucket, "data/big.bin")
    head = local_s3.head_object(Bucket=local_bucket, Key="data/big.bin")
    assert head["ContentLength"] == 100 * MIB
    # boto3's default TransferConfig: 8 MiB parts above an 8 MiB threshold, so 13 parts.
    assert head["ETag"].endswith('-13"')
    assert local_s3.list_multipart_uploads(Bucket=local_bucket).get("Uploads", []) == []
    target = tmp_path / "back.bin"
    local_s3.download_file(local_bucket, "data/big.bin", str(target))
    assert _sha256_of(target) == expected
    part = local_s3.get_object(Bucket=local_bucket, Key="data/big.bin", PartNumber=13)
    assert part["PartsCount"] == 13
    assert part["ContentLength"] == 4 * MIB
    assert part["ContentRange"] == "bytes %d-%d/%d" % (96 * MIB, 100 * MIB - 1, 100 * MIB)


def test_upload_file_just_above_the_threshold(local_s3, local_bucket, tmp_path):
    """The issue's first observation: 9 MiB used to fail (boto3 switches to multipart above 8 MiB)."""
    source = tmp_path / "nine.bin"
    expected = _file(source, 9 * MIB, "nine")
    local_s3.upload_file(str(source), local_bucket, "nine.bin", ExtraArgs={"ContentType": "application/x-nine", "Metadata": {"run": "7"}})
    head = local_s3.head_object(Bucket=local_bucket, Key="nine.bin")
    assert head["ETag"].endswith('-2"')
    assert head["ContentType"] == "application/x-nine"
    assert head["Metadata"] == {"run": "7"}
    body = local_s3.get_object(Bucket=local_bucket, Key="nine.bin")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == expected


def test_small_parts_with_every_checksum_algorithm(local_s3, local_bucket, tmp_path):
    source = tmp_path / "twelve.bin"
    expected = _file(source, 12 * MIB, "twelve")
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    # CRC32C and CRC64NVME need botocore[crt], which .venv-tools does not install.
    for algorithm in ("CRC32", "SHA1", "SHA256"):
        key = "sums/%s.bin" % algorithm
        local_s3.upload_file(str(source), local_bucket, key, Config=config, ExtraArgs={"ChecksumAlgorithm": algorithm})
        attributes = local_s3.get_object_attributes(
            Bucket=local_bucket, Key=key, ObjectAttributes=["ETag", "Checksum", "ObjectParts", "ObjectSize"]
        )
        assert attributes["ObjectSize"] == 12 * MIB
        assert attributes["ObjectParts"]["TotalPartsCount"] == 3
        assert "Checksum%s" % algorithm in attributes["Checksum"]
        # A whole-object GET returns the stored checksum; botocore checks a full-object one against the body.
        got = local_s3.get_object(Bucket=local_bucket, Key=key, ChecksumMode="ENABLED")
        assert hashlib.sha256(got["Body"].read()).hexdigest() == expected
        assert got["Checksum%s" % algorithm] == attributes["Checksum"]["Checksum%s" % algorithm]
        assert got["ChecksumType"] == attributes["Checksum"]["ChecksumType"]
        target = tmp_path / ("%s.back" % algorithm)
        local_s3.download_file(local_bucket, key, str(target))
        assert _sha256_of(target) == expected


def test_every_key_s3_accepts_is_stored_and_listed_exactly(s3, bucket, target):
    keys = [
        "k1",
        "k1/",
        "fold/",
        "fold/child",
        "obj",
        "obj.json/child",
        "prefix//double",
        "a/../../escape",
        "./dot",
        "..",
        "ünï/cödé/✓.txt",
        "space and +plus%percent",
        "x" * 300 + "/" + "y" * 300,
        "é" * 512,
    ]
    for index, key in enumerate(keys):
        s3.put_object(Bucket=bucket, Key=key, Body=("body %d" % index).encode())
    for index, key in enumerate(keys):
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == ("body %d" % index).encode(), key
    listed = [item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 3}) for item in page.get("Contents", [])]
    assert listed == sorted(keys, key=lambda key: key.encode("utf-8"))
    if _moto(target):
        return  # moto stores keys over 1,024 bytes; S3 answers KeyTooLongError
    with pytest.raises(ClientError) as too_long:
        s3.put_object(Bucket=bucket, Key="é" * 512 + "x", Body=b"")
    assert _code(too_long) == "KeyTooLongError"


def test_resource_api_and_paginators_list_v1_and_v2_with_prefix_and_delimiter(s3_resource, s3, bucket, target):
    keys = ["runs/a/1.json", "runs/a/2.json", "runs/b/1.json", "runs/top.json", "other.json", "runs/c/"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    resource = s3_resource.Bucket(bucket)
    assert [item.key for item in resource.objects.all()] == sorted(keys)
    assert [item.key for item in resource.objects.filter(Prefix="runs/a/")] == ["runs/a/1.json", "runs/a/2.json"]
    assert [item.key for item in resource.objects.page_size(2).all()] == sorted(keys)
    for operation in ("list_objects", "list_objects_v2"):
        pages = list(
            s3.get_paginator(operation).paginate(
                Bucket=bucket, Prefix="runs/", Delimiter="/", PaginationConfig={"PageSize": 1}
            )
        )
        contents = [item["Key"] for page in pages for item in page.get("Contents", [])]
        prefixes = [item["Prefix"] for page in pages for item in page.get("CommonPrefixes", [])]
        assert contents == ["runs/top.json"], operation
        assert prefixes == ["runs/a/", "runs/b/", "runs/c/"], operation
        # moto ignores ListObjects (v1) max-keys when a delimiter is given; S3 pages them.
        if not (_moto(target) and operation == "list_objects"):
            assert len(pages) == 4, operation
    v1 = s3.list_objects(Bucket=bucket, Marker="runs/a/2.json")
    assert [item["Key"] for item in v1["Contents"]] == ["runs/b/1.json", "runs/c/", "runs/top.json"]
    v2 = s3.list_objects_v2(Bucket=bucket, StartAfter="other.json", MaxKeys=2)
    assert [item["Key"] for item in v2["Contents"]] == ["runs/a/1.json", "runs/a/2.json"]
    assert v2["IsTruncated"] is True


def test_copy_object_and_managed_multipart_copy(s3_resource, s3, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="src.txt", Body=b"copy me", ContentType="text/plain", Metadata={"a": "1"})
    copied = s3.copy_object(Bucket=bucket, Key="dst/", CopySource={"Bucket": bucket, "Key": "src.txt"})
    assert copied["CopyObjectResult"]["ETag"] == s3.head_object(Bucket=bucket, Key="src.txt")["ETag"]
    head = s3.head_object(Bucket=bucket, Key="dst/")
    assert (head["ContentType"], head["Metadata"]) == ("text/plain", {"a": "1"})
    s3.copy_object(
        Bucket=bucket,
        Key="replaced.txt",
        CopySource={"Bucket": bucket, "Key": "src.txt"},
        MetadataDirective="REPLACE",
        ContentType="text/x-new",
        Metadata={"b": "2"},
    )
    head = s3.head_object(Bucket=bucket, Key="replaced.txt")
    assert (head["ContentType"], head["Metadata"]) == ("text/x-new", {"b": "2"})
    with pytest.raises(ClientError) as to_itself:
        s3.copy_object(Bucket=bucket, Key="src.txt", CopySource={"Bucket": bucket, "Key": "src.txt"})
    assert _code(to_itself) == "InvalidRequest"
    with pytest.raises(ClientError) as missing:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "nope"})
    assert _code(missing) == "NoSuchKey"
    # Above the threshold, boto3's managed copy uses UploadPartCopy with byte ranges.
    source = tmp_path / "ten.bin"
    expected = _file(source, 10 * MIB, "ten")
    s3.upload_file(str(source), bucket, "ten.bin")
    s3_resource.Bucket(bucket).copy({"Bucket": bucket, "Key": "ten.bin"}, "ten-copy.bin")
    body = s3.get_object(Bucket=bucket, Key="ten-copy.bin")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == expected


def test_delete_objects_reports_each_key(s3, bucket, target):
    keys = ["d/1", "d/2/", "d/../3", "d/ü"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    answer = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys + ["d/never"]], "Quiet": False}
    )
    assert sorted(item["Key"] for item in answer["Deleted"]) == sorted(keys + ["d/never"])
    assert answer.get("Errors", []) == []
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "gone"}], "Quiet": True})
    if not _moto(target):  # moto lists deleted keys in quiet mode too; S3 reports only errors
        assert quiet.get("Deleted", []) == []


def test_ranges_conditions_and_head(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="range.txt", Body=b"0123456789")
    assert s3.get_object(Bucket=bucket, Key="range.txt", Range="bytes=2-4")["Body"].read() == b"234"
    assert s3.get_object(Bucket=bucket, Key="range.txt", Range="bytes=-3")["Body"].read() == b"789"
    assert s3.get_object(Bucket=bucket, Key="range.txt", IfMatch=put["ETag"])["Body"].read() == b"0123456789"
    with pytest.raises(ClientError) as changed:
        s3.get_object(Bucket=bucket, Key="range.txt", IfMatch='"0000"')
    assert _code(changed) == "PreconditionFailed"
    with pytest.raises(ClientError) as unchanged:
        s3.get_object(Bucket=bucket, Key="range.txt", IfNoneMatch=put["ETag"])
    assert unchanged.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as out_of_range:
        s3.get_object(Bucket=bucket, Key="range.txt", Range="bytes=20-30")
    assert _code(out_of_range) == "InvalidRange"
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=bucket, Key="range.txt/")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_multipart_upload_by_hand(s3, bucket, target):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="hand/made.bin", ContentType="application/x-made")
    upload_id = upload["UploadId"]
    first = s3.upload_part(Bucket=bucket, Key="hand/made.bin", UploadId=upload_id, PartNumber=1, Body=b"a" * (5 * MIB))
    second = s3.upload_part(Bucket=bucket, Key="hand/made.bin", UploadId=upload_id, PartNumber=2, Body=b"tail")
    parts = s3.list_parts(Bucket=bucket, Key="hand/made.bin", UploadId=upload_id)["Parts"]
    assert [(part["PartNumber"], part["Size"]) for part in parts] == [(1, 5 * MIB), (2, 4)]
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(item["Key"], item["UploadId"]) for item in uploads] == [("hand/made.bin", upload_id)]
    # Not visible until completed.
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="hand/made.bin")
    with pytest.raises(ClientError) as wrong_etag:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="hand/made.bin",
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"00"'}, {"PartNumber": 2, "ETag": second["ETag"]}]},
        )
    assert _code(wrong_etag) == "InvalidPart"
    with pytest.raises(ClientError) as unknown_part:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="hand/made.bin",
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": second["ETag"]}, {"PartNumber": 3, "ETag": second["ETag"]}]},
        )
    assert _code(unknown_part) == "InvalidPart"
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="hand/made.bin",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": first["ETag"]}, {"PartNumber": 2, "ETag": second["ETag"]}]},
    )
    assert done["ETag"].endswith('-2"')
    head = s3.head_object(Bucket=bucket, Key="hand/made.bin")
    assert (head["ContentLength"], head["ContentType"]) == (5 * MIB + 4, "application/x-made")
    with pytest.raises(ClientError) as gone:
        s3.list_parts(Bucket=bucket, Key="hand/made.bin", UploadId=upload_id)
    assert _code(gone) in _no_such_upload(target)

    aborted = s3.create_multipart_upload(Bucket=bucket, Key="hand/aborted.bin")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="hand/aborted.bin", UploadId=aborted, PartNumber=1, Body=b"x" * 10)
    s3.abort_multipart_upload(Bucket=bucket, Key="hand/aborted.bin", UploadId=aborted)
    with pytest.raises(ClientError) as no_upload:
        s3.upload_part(Bucket=bucket, Key="hand/aborted.bin", UploadId=aborted, PartNumber=2, Body=b"y")
    assert _code(no_upload) in _no_such_upload(target)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="hand/aborted.bin")

    tiny = s3.create_multipart_upload(Bucket=bucket, Key="hand/tiny.bin")["UploadId"]
    one = s3.upload_part(Bucket=bucket, Key="hand/tiny.bin", UploadId=tiny, PartNumber=1, Body=b"small")
    two = s3.upload_part(Bucket=bucket, Key="hand/tiny.bin", UploadId=tiny, PartNumber=2, Body=b"small")
    with pytest.raises(ClientError) as too_small:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="hand/tiny.bin",
            UploadId=tiny,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": one["ETag"]}, {"PartNumber": 2, "ETag": two["ETag"]}]},
        )
    assert _code(too_small) == "EntityTooSmall"


def test_bucket_lifecycle_and_errors(s3):
    name = "s3-life-%s" % uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    with pytest.raises(ClientError) as not_empty:
        s3.delete_bucket(Bucket=name)
    assert _code(not_empty) == "BucketNotEmpty"
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.delete_object(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as gone:
        s3.list_objects(Bucket=name)
    assert _code(gone) == "NoSuchBucket"
