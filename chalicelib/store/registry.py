"""Every table the service uses, in one list. Table creation and infra templates read it."""
from __future__ import annotations

from pynamodb.models import Model

from chalicelib.store.activity import Activity
from chalicelib.store.agents import Agent
from chalicelib.store.attachments import Attachment
from chalicelib.store.comments import IssueComment
from chalicelib.store.companies import Company
from chalicelib.store.documents import DocumentRevision, IssueDocument
from chalicelib.store.heartbeats import HeartbeatRun, RunWakeup
from chalicelib.store.identity import BoardUser, Credential
from chalicelib.store.issue_relations import IssueRelation
from chalicelib.store.issues import Issue
from chalicelib.store.planning import Goal, Project
from chalicelib.store.routines import Routine, RoutineRun, RoutineTrigger
from chalicelib.store.uniques import UniqueKey
from chalicelib.store.work_products import WorkProduct

ALL_MODELS: list[type[Model]] = [
    Company,
    BoardUser,
    Credential,
    Agent,
    Project,
    Goal,
    HeartbeatRun,
    RunWakeup,
    Activity,
    UniqueKey,
    Issue,
    IssueComment,
    Routine,
    RoutineTrigger,
    RoutineRun,
    IssueDocument,
    DocumentRevision,
    Attachment,
    IssueRelation,
    WorkProduct,
]


def create_all_tables(assume_empty: bool = False) -> None:
    """Create any missing table (local runner and tests; deployed stages use infra/ templates).

    `assume_empty` skips the existence checks and waits: for a moto server that was just reset.
    """
    for model in ALL_MODELS:
        if assume_empty or not model.exists():
            # PynamoDB's create_table also enables the table's TTL attribute; enabling it a second
            # time is a ValidationException on DynamoDB (and on DynamoDB Local), so nothing else may.
            model.create_table(wait=not assume_empty, billing_mode="PAY_PER_REQUEST")
