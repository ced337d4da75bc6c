"""The attachments bucket: private, encrypted with the app key, TLS only, no abandoned multipart parts."""
from __future__ import annotations

from typing import Any

from infra.template import key, stages

BUCKET = "AttachmentsBucket"
BUCKET_POLICY = "AttachmentsBucketPolicy"


def objects_arn() -> dict[str, Any]:
    return {"Fn::Sub": "${%s.Arn}/*" % BUCKET}


def resources() -> dict[str, Any]:
    return {
        BUCKET: {
            "Type": "AWS::S3::Bucket",
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
                "LifecycleConfiguration": {"Rules": [{
                    "Id": "abort-incomplete-multipart-uploads",
                    "Status": "Enabled",
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }]},
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
