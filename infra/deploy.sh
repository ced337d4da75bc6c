#!/usr/bin/env bash
# Deploy one stage: `make deploy STAGE=prod ARTIFACTS_BUCKET=my-artifacts` (see docs/deploy.md).
#
# chalice package (app + merged infra template) -> infra.package (bytecode in, unused botocore models out)
# -> aws cloudformation package (uploads the Lambda zip to ARTIFACTS_BUCKET) -> aws cloudformation deploy
# (a change set on stack paperclip-$STAGE). chalice package needs a region to read the app: the one the
# stage deploys to (AWS_REGION / AWS_DEFAULT_REGION).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
STAGE="${STAGE:-}"
ARTIFACTS_BUCKET="${ARTIFACTS_BUCKET:-}"
STACK="${STACK:-paperclip-$STAGE}"

die() { echo "deploy: $*" >&2; exit 2; }

case "$STAGE" in
  dev|prod) ;;
  *) die "STAGE must be dev or prod (got '${STAGE}')" ;;
esac
[ -n "$ARTIFACTS_BUCKET" ] || die "ARTIFACTS_BUCKET must name an S3 bucket you own for the Lambda zip (aws s3 mb s3://NAME)"
command -v aws >/dev/null || die "the AWS CLI (aws) is not on PATH"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-${AWS_REGION:-}}"
[ -n "$AWS_DEFAULT_REGION" ] || die "set AWS_REGION or AWS_DEFAULT_REGION to the region to deploy to"

"$PY" -m infra.generate --check || die "the template is stale: run make infra and commit it"

secret_param=$("$PY" -c "import sys; from infra.template import stages, PROJECT_DIR; print(stages.read(PROJECT_DIR)[sys.argv[1]]['JwtSecretParam'])" "$STAGE")

out="build/$STAGE"
rm -rf "$out"
mkdir -p build
.venv/bin/chalice package --stage "$STAGE" --merge-template infra/cloudformation/resources.json "$out"
"$PY" -m infra.package "$out/deployment.zip"
aws cloudformation package --template-file "$out/sam.json" --s3-bucket "$ARTIFACTS_BUCKET" \
  --s3-prefix "$STACK" --output-template-file "$out/packaged.json" --use-json
aws cloudformation deploy --template-file "$out/packaged.json" --stack-name "$STACK" \
  --parameter-overrides "Stage=$STAGE" --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
  --no-fail-on-empty-changeset
aws cloudformation describe-stacks --stack-name "$STACK" --query "Stacks[0].Outputs" --output table

if ! aws ssm get-parameter --name "$secret_param" --query Parameter.Name --output text >/dev/null 2>&1; then
  echo "deploy: WARNING: SSM parameter $secret_param does not exist yet; run tokens cannot be issued until" >&2
  echo "        you create it (docs/deploy.md, 'The JWT secret')." >&2
fi
