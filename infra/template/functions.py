"""The Lambda functions `chalice package` emits, and what the template adds to each.

Names come from Chalice's own application graph (the one `chalice package` walks), so a new
`@app.schedule`, `@app.lambda_function` or authorizer shows up here on the next `make infra`.
Each function gets its own role from the template (iam.FUNCTION_ROLES; config.json sets
`manage_iam_role: false`), a fixed name `{prefix}{Function}` (so its log group is known in advance and
the role's log permissions can name it), and a log group with a retention period, created before the
function so the role needs no logs:CreateLogGroup.

The scheduler has reserved concurrency: that many executions are always available to it, whatever
floods the API (the account's unreserved pool is shared by every function in the region), and it can
never use more. Ticks come every minute and may run for the function's timeout (300 s in
.chalice/config.json), so up to five overlap; tests/infra/test_edge_protection.py checks the two agree.
Reserving needs the account's Lambda concurrency quota to leave 100 unreserved (docs/deploy.md).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.template import iam, stages

LOG_RETENTION_DAYS = 30
API_HANDLER = iam.API_HANDLER  # chalice renames the REST API's function to this
SCHEDULER_RESERVED_CONCURRENCY = 5  # ceil(300 s timeout / 60 s between ticks)


def lambda_names(project_dir: Path, stage: str = "prod") -> list[str]:
    from chalice.cli.factory import CLIFactory
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
    from chalice.utils import to_cfn_resource_name

    config = CLIFactory(str(project_dir)).create_config_obj(chalice_stage_name=stage)
    graph = ApplicationGraphBuilder().build(config, stage)
    nodes = DependencyBuilder().build_dependencies(graph)
    api_functions = {id(n.lambda_function) for n in nodes if isinstance(n, models.RestAPI)}
    names = {
        API_HANDLER if id(n) in api_functions else to_cfn_resource_name(n.resource_name)
        for n in nodes if isinstance(n, models.LambdaFunction)
    }
    return sorted(names)


def log_group(function: str) -> str:
    return function + "LogGroup"


def resources(lambdas: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in lambdas:
        out[log_group(name)] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": ["/aws/lambda/${Prefix}%s" % name, {"Prefix": stages.setting("TablePrefix")}]},
                "RetentionInDays": LOG_RETENTION_DAYS,
            },
        }
        role = iam.role_of(name)
        # Merged into chalice's own definition of the function (a deep merge: only these keys change).
        out[name] = {
            "DependsOn": [log_group(name), iam.DATA_POLICIES[role]],
            "Properties": {
                "FunctionName": stages.prefixed(name),
                "Role": {"Fn::GetAtt": [role, "Arn"]},
            },
        }
        if name == iam.SCHEDULER:
            out[name]["Properties"]["ReservedConcurrentExecutions"] = SCHEDULER_RESERVED_CONCURRENCY
    return out
