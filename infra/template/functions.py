"""The Lambda functions `chalice package` emits, and what the template adds to each.

Names come from Chalice's own application graph (the one `chalice package` walks), so a new
`@app.schedule`, `@app.lambda_function` or authorizer shows up here on the next `make infra`.
Each function gets the template's role (config.json sets `manage_iam_role: false`), a fixed name
`{prefix}{Function}` (so its log group is known in advance and the role's log permissions can name it),
and a log group with a retention period, created before the function so the role needs no
logs:CreateLogGroup.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.template import iam, stages

LOG_RETENTION_DAYS = 30
API_HANDLER = "APIHandler"  # chalice renames the REST API's function to this


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
        # Merged into chalice's own definition of the function (a deep merge: only these keys change).
        out[name] = {
            "DependsOn": [log_group(name), iam.DATA_POLICY],
            "Properties": {
                "FunctionName": stages.prefixed(name),
                "Role": {"Fn::GetAtt": [iam.ROLE, "Arn"]},
            },
        }
    return out
