"""No key, token or secret is stored in plaintext anywhere: read every raw item of every table."""
import json

import boto3

from chalicelib.store.registry import ALL_MODELS


def all_raw_items() -> str:
    client = boto3.client("dynamodb", region_name="us-east-1")
    dumped = []
    for model in ALL_MODELS:
        for page in client.get_paginator("scan").paginate(TableName=model.Meta.table_name):
            dumped += page["Items"]
    return json.dumps(dumped)


def test_tokens_and_keys_are_only_hashes(api, world, clock):
    from chalicelib.services.org import board_users

    board = board_users.create(None, {"name": "Ops", "isInstanceAdmin": True}, clock.now())[1]
    run = api.post(f"/api/agents/{world.alice['id']}/heartbeat/invoke").json
    api.get("/api/agents/me", token=world.alice_key)
    raw = all_raw_items()
    for secret in (board, world.alice_key, world.bob_key, run["token"], "test-secret-for-run-jwts"):
        assert secret not in raw
        assert secret[4:] not in raw  # not even without its prefix
    from chalicelib.ids import token_hash

    assert token_hash(world.alice_key) in raw  # what is stored instead
