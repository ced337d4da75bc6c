"""The attachments bucket: private, encrypted with the app key, TLS only, no abandoned multipart parts,
versioned, and kept when the stack goes.

Versioning makes a deleted or overwritten attachment or document body recoverable for
NONCURRENT_VERSION_DAYS (the app deletes objects when their record goes; S3 keeps the old version
until the lifecycle rule expires it). The app never asks for a version, so reads see the current one,
and a deleted key reads as NoSuchKey as before.
"""
from __future__ import annotations

from typing import Any

from infra.template import key, stages

BUCKET = "AttachmentsBucket"
BUCKET_POLICY = "AttachmentsBucketPolicy"
NONCURRENT_VERSION_DAYS = 30  # how long a deleted or replaced object can be restored


def objects_arn() -> dict[str, Any]:
    return {"Fn::Sub": "${%s.Arn}/*" % BUCKET}


def resources() -> dict[str, Any]:
    return {
        BUCKET: {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",  # attachments outlive the stack; see docs/deploy.md to remove them
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                # S3 names are global: if this one is taken, change PAPERCLIP_ATTACHMENTS_BUCKET in
                # .chalice/config.json and run `make infra`.
                "BucketName": stages.setting("AttachmentsBucket"),
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True, "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
                },
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{
                    "ServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": [key.KEY, "Arn"]},
                    },
                    "BucketKeyEnabled": True,  # one KMS call per bucket key, not per object
                }]},
                "VersioningConfiguration": {"Status": "Enabled"},
                "LifecycleConfiguration": {"Rules": [
                    {
                        "Id": "abort-incomplete-multipart-uploads",
                        "Status": "Enabled",
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                    },
                    {
                        # Old versions go after the recovery window; a delete marker left with no
                        # versions behind it goes too, so deleted keys do not pile up as markers.
                        "Id": "expire-noncurrent-versions",
                        "Status": "Enabled",
                        "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_VERSION_DAYS},
                        "ExpiredObjectDeleteMarker": True,
                    },
                ]},
            },
        },
        BUCKET_POLICY: {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": BUCKET},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        # A deny, not a grant: every S3 action over plain HTTP is refused, for everyone.
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [{"Fn::GetAtt": [BUCKET, "Arn"]}, objects_arn()],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }],
                },
            },
        },
    }
