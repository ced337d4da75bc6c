"""The app's KMS key (webhook-secret envelopes, attachment encryption, the JWT secret parameter) and its
alias `alias/paperclip-{stage}`, the name the app is configured with (PAPERCLIP_KMS_KEY_ID). Only the API
role uses it: the scheduler never opens a webhook secret or an attachment."""
from __future__ import annotations

from typing import Any

from infra.template import stages

KEY = "AppKey"
ALIAS = "AppKeyAlias"
USE_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]

# What the account (and so the deployer's IAM identity, through CloudFormation) needs to manage the key.
# Listed one by one: key policies here grant no wildcard actions. Without PutKeyPolicy for the account,
# KMS would refuse the policy (lockout safety check).
ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:DisableKey",
    "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations",
    "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant", "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
]


def resources() -> dict[str, Any]:
    from infra.template import iam  # the API role is the key's user; its policy names the key

    account_root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    return {
        KEY: {
            "Type": "AWS::KMS::Key",
            # Kept when the stack is deleted or the key replaced: without it every webhook secret and
            # attachment encrypted with it is unreadable (KMS deletes a key 30 days after scheduling).
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": {"Fn::Sub": "Paperclip ${Stage}: webhook secrets, attachments, JWT secret parameter"},
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    # In a key policy, "Resource": "*" means "this key": KMS requires exactly that.
                    "Statement": [
                        {"Sid": "AccountAdministersKey", "Effect": "Allow", "Principal": {"AWS": account_root},
                         "Action": ADMIN_ACTIONS + USE_ACTIONS, "Resource": "*"},
                        {"Sid": "ApiRoleUsesKey", "Effect": "Allow",
                         "Principal": {"AWS": {"Fn::GetAtt": [iam.API_ROLE, "Arn"]}},
                         "Action": USE_ACTIONS, "Resource": "*"},
                    ],
                },
            },
        },
        ALIAS: {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": stages.setting("KmsAlias"), "TargetKeyId": {"Ref": KEY}},
        },
    }
