// How a sender signs a webhook fire, per signing mode (SPEC §6, chalicelib/logic/webhook_signatures.py):
// the headers in words and a shell recipe (bash, openssl, curl) that produces exactly them.
// tests/browser run each recipe as shown against `make run` and expect 202.

const BASE = (url, secret) => [`URL='${url}'`, `SECRET='${secret}'`, `BODY='{"hello":"world"}'`];
const POST = `curl -sS -X POST "$URL" -H 'Content-Type: application/json'`;
const HMAC_HEX = `openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}'`;

export const MODES = {
  bearer: {
    headers: 'Authorization: Bearer <secret>',
    lines: () => [`${POST} -H "Authorization: Bearer $SECRET" --data-raw "$BODY"`],
  },
  hmac_sha256: {
    headers: 'X-Paperclip-Timestamp: <unix seconds>, X-Paperclip-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">',
    lines: () => [
      'TS=$(date +%s)',
      `SIG=$(printf '%s.%s' "$TS" "$BODY" | ${HMAC_HEX})`,
      `${POST} -H "X-Paperclip-Timestamp: $TS" -H "X-Paperclip-Signature: sha256=$SIG" --data-raw "$BODY"`,
    ],
  },
  github_hmac: {
    headers: 'X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>',
    lines: () => [
      `SIG=$(printf '%s' "$BODY" | ${HMAC_HEX})`,
      `${POST} -H "X-Hub-Signature-256: sha256=$SIG" --data-raw "$BODY"`,
    ],
  },
  standard_webhooks: {
    headers: 'webhook-id: <unique id>, webhook-timestamp: <unix seconds>, webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">; the key is the base64-decoded part of the secret after whsec_',
    lines: () => [
      'ID="msg_$(date +%s%N)"',
      'TS=$(date +%s)',
      `KEY=$(printf '%s' "\${SECRET#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \\n')`,
      `SIG=$(printf '%s.%s.%s' "$ID" "$TS" "$BODY" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY" -binary | base64)`,
      `${POST} -H "webhook-id: $ID" -H "webhook-timestamp: $TS" -H "webhook-signature: v1,$SIG" --data-raw "$BODY"`,
    ],
  },
  none: {
    headers: 'no signature: anyone who knows the URL can fire it',
    lines: () => [`${POST} --data-raw "$BODY"`],
  },
};

/** The shell recipe for one trigger: variables, signature, request. The body is the run's payload. */
export function recipe(mode, url, secret) {
  const spec = MODES[mode] || MODES.bearer;
  return [...BASE(url, secret), ...spec.lines()].join('\n');
}

export function headerWords(mode) {
  return (MODES[mode] || MODES.bearer).headers;
}
