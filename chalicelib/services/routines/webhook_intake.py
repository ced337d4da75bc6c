"""The public webhook endpoint (SPEC §6): rate limits, signature, replay, then dispatch.

Order of checks: per-IP rate limit (before anything else, so unknown ids cannot be probed freely),
unknown publicId 404, per-publicId rate limit, signature 401 (before anything about the trigger's or
routine's state is said: a caller without the secret learns nothing but "unauthorized"), a
`webhook-id` already accepted 401, body 400, an idempotent replay (the original run, decided before
any check of mutable state: issue #10), trigger disabled or routine not active 409, then the run (202).

Rate limits are fixed one-minute windows counted with an atomic ADD on a UniqueKey item per
(subject, minute) with a TTL, so every Lambda instance shares them. A Standard Webhooks `webhook-id`
is remembered only with the run it produced (a guarded put in the run's own transaction, TTL twice
the replay window): a delivery that failed (400, 409, 503) is retried with the same id, as every
sender does, and accepted; one that succeeded is a replay (401).

Cheap refusals (issue 11: a flood must not cost a DynamoDB write per request):
- A subject (source IP, publicId) whose shared count this instance has seen above its limit is
  refused for the rest of that minute without touching DynamoDB: counts only grow within a window, so
  the shared counter would refuse it too. Same answer (429, Retry-After), no write.
- A publicId that `new_public_id` cannot have made (ids.is_public_id) is 404 without the Query; the
  per-IP limit still comes first, so the order of answers is the one above.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from chalicelib.config import settings
from chalicelib.errors import BadRequest, Conflict, NotFound, RateLimited, Unauthorized
from chalicelib.ids import is_public_id
from chalicelib.logic import strict_json, webhook_signatures
from chalicelib.services.routines import routine_dispatch, routine_lookup, webhook_secrets
from chalicelib.store.routines import RoutineTrigger
from chalicelib.store.uniques import UniqueKey

logger = logging.getLogger("paperclip")
MAX_IDEMPOTENCY_KEY = 255
# subject -> (window, shared count seen, monotonic deadline) for subjects over their limit, this instance
_over_limit: dict[str, tuple[str, int, float]] = {}
OVER_LIMIT_MEMO_MAX = 10_000  # distinct flooding subjects remembered per minute; beyond it, start afresh


def _rate_limit(subject: str, limit: int, now: datetime) -> None:
    window = now.replace(second=0, microsecond=0)
    stamp = window.strftime('%Y%m%dT%H%M')
    retry_after = 60 - now.second
    seen = _over_limit.get(subject)
    # The real-time deadline as well as the window: a window's count is only known to stay above the
    # limit until the window ends (and a test's fake clock may stand still while DynamoDB is reset).
    if seen and seen[0] == stamp and seen[1] > limit and time.monotonic() < seen[2]:
        raise RateLimited("Too many requests", retry_after)
    key = UniqueKey(key=f"rate#{subject}#{stamp}")
    key.update(actions=[UniqueKey.counter.add(1), UniqueKey.expires_at.set(window + timedelta(minutes=5))])
    count = int(key.counter or 0)
    if count > limit:
        if len(_over_limit) >= OVER_LIMIT_MEMO_MAX:
            _over_limit.clear()
        _over_limit[subject] = (stamp, count, time.monotonic() + retry_after)
        raise RateLimited("Too many requests", retry_after)


def _find_trigger(public_id: str) -> RoutineTrigger:
    if not is_public_id(public_id):
        raise NotFound("Trigger not found")
    for trigger in RoutineTrigger.by_public_id.query(public_id, limit=1):
        if trigger.kind == "webhook":
            return trigger
    raise NotFound("Trigger not found")


def webhook_id_key(trigger: RoutineTrigger, webhook_id: str, now: datetime) -> UniqueKey:
    window = int(trigger.replay_window_sec or 300)
    return UniqueKey(key=f"webhook-id#{trigger.id}#{webhook_id}", ref=trigger.id,
                     expires_at=now + timedelta(seconds=2 * window))


def _seen(key: UniqueKey, now: datetime) -> bool:
    """An accepted delivery's id, not yet expired (an expired key not yet deleted by TTL counts as absent)."""
    try:
        stored = UniqueKey.get(key.key, consistent_read=True)
    except UniqueKey.DoesNotExist:
        return False
    return stored.expires_at is None or stored.expires_at >= now


def _payload(raw_body: bytes) -> Any:
    if not raw_body.strip():
        return {}
    try:
        data = strict_json.loads(raw_body)
    except strict_json.JsonError as exc:
        raise BadRequest("Malformed JSON body", {"body": str(exc)})
    if isinstance(data, dict) and set(data) == {"payload"}:
        data = data["payload"]  # the seed's examples wrap the payload
    if not isinstance(data, dict):
        raise BadRequest("The webhook body must be a JSON object")
    return data


def fire(public_id: str, headers: Any, raw_body: bytes, source_ip: str, now: datetime) -> routine_dispatch.DispatchResult:
    cfg = settings()
    _rate_limit(f"ip#{source_ip}", cfg.webhook_rate_per_ip, now)
    trigger = _find_trigger(public_id)
    _rate_limit(f"public#{public_id}", cfg.webhook_rate_per_trigger, now)
    trigger = RoutineTrigger.get(trigger.id, consistent_read=True)  # the index may lag a rotation
    try:
        secret = webhook_secrets.open_envelope(trigger.secret_envelope, trigger.id) if trigger.secret_envelope else ""
        verified = webhook_signatures.verify(trigger.signing_mode or "bearer", secret, dict(headers or {}), raw_body,
                                             now, int(trigger.replay_window_sec or 300))
    except webhook_signatures.SignatureError as exc:
        logger.info("webhook signature refused", extra={"triggerId": trigger.id, "reason": str(exc)})
        raise Unauthorized("Unauthorized")
    seen_key = webhook_id_key(trigger, verified.webhook_id, now) if verified.webhook_id else None
    if seen_key is not None and _seen(seen_key, now):
        raise Unauthorized("Unauthorized")  # SPEC §6: a webhook-id accepted before is a replay
    payload = _payload(raw_body)
    key = (headers or {}).get("idempotency-key") or None
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
        raise BadRequest("Idempotency-Key is too long", {"Idempotency-Key": f"at most {MAX_IDEMPOTENCY_KEY} characters"})
    routine = routine_lookup.find(trigger.routine_id)
    req = routine_dispatch.RunRequest(source="webhook", trigger=trigger, payload=payload, idempotency_key=key,
                                      seen_key=seen_key)
    replay = routine_dispatch.find_replay(routine, req)
    if replay is not None:
        return replay
    if not trigger.enabled:
        raise Conflict("The trigger is disabled")
    if routine.status != "active":
        raise Conflict(f"The routine is {routine.status}", {"status": routine.status})
    return routine_dispatch.dispatch(None, routine, req, now, replay_checked=True)
