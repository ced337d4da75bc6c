"""The runner's durable S3 and KMS (infra/local/durable_blobs.py, durable_kms.py), without a runner.

A second moto server in this process, behind the BlobMirror, stands in for the runner's; moto's
state is process-wide, so a moto reset is what a restart does to it.
"""
import boto3
import pytest

from infra.local import durable_kms
from infra.local.aws import reset_moto, start_moto
from infra.local.durable_blobs import BlobMirror


@pytest.fixture
def mirrored(aws, tmp_path):
    server, endpoint = start_moto(wrap=lambda app: BlobMirror(app, tmp_path / "s3"))
    yield server.app, endpoint, boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    server.stop()


def test_acknowledged_puts_and_deletes_survive_a_restart(mirrored, tmp_path):
    mirror, endpoint, s3 = mirrored
    s3.create_bucket(Bucket="kept-bucket")
    s3.put_object(Bucket="kept-bucket", Key="docs/a b/ü.md", Body=b"first", ContentType="text/markdown")
    s3.put_object(Bucket="kept-bucket", Key="docs/a b/ü.md", Body=b"second \x00\xff", ContentType="text/markdown")
    s3.put_object(Bucket="kept-bucket", Key="gone.png", Body=b"\x89PNG", ContentType="image/png")
    s3.delete_object(Bucket="kept-bucket", Key="gone.png")
    assert sorted(p.name for p in (tmp_path / "s3" / "kept-bucket").iterdir()) == \
        ["docs%2Fa%20b%2F%C3%BC.md", "docs%2Fa%20b%2F%C3%BC.md.meta.json"]

    reset_moto(endpoint)  # what stopping the runner does to moto's memory
    assert mirror.restore(s3) == 1
    got = s3.get_object(Bucket="kept-bucket", Key="docs/a b/ü.md")
    assert got["Body"].read() == b"second \x00\xff" and got["ContentType"] == "text/markdown"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="kept-bucket", Key="gone.png")


def test_a_refused_write_is_not_mirrored(mirrored, tmp_path):
    _mirror, _endpoint, s3 = mirrored
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.put_object(Bucket="no-such-bucket", Key="k", Body=b"x")
    assert not (tmp_path / "s3" / "no-such-bucket").exists()


def test_the_saved_kms_key_opens_what_it_sealed_before_a_restart(aws, tmp_path):
    kms = boto3.client("kms", region_name="us-east-1")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    sealed = kms.encrypt(KeyId=key_id, Plaintext=b"webhook secret")["CiphertextBlob"]
    durable_kms.save(tmp_path / "kms" / "key.json", key_id, "us-east-1")
    assert oct((tmp_path / "kms" / "key.json").stat().st_mode & 0o777) == "0o600"

    reset_moto(aws)  # the key is gone from moto ...
    with pytest.raises(kms.exceptions.ClientError):
        kms.decrypt(CiphertextBlob=sealed)
    assert durable_kms.restore(tmp_path / "kms" / "key.json", "alias/restored", "us-east-1")
    assert kms.decrypt(CiphertextBlob=sealed)["Plaintext"] == b"webhook secret"  # ... and back
    assert kms.describe_key(KeyId="alias/restored")["KeyMetadata"]["KeyId"] == key_id
    assert not durable_kms.restore(tmp_path / "nothing.json", "alias/x", "us-east-1")
