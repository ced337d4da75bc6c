"""@-mentions in comment bodies (SPEC §4; upstream's structured mentions: skill.md gap #12). Pure: text
in, names and ids out.

- `[@Display Name](agent://<agent-id>)` is upstream's structured mention (`AGENT_MENTION_LINK_RE` and
  `parseAgentMentionHref` of `@paperclipai/shared`): it names the agent by id, whatever the label says
  (a `?i=<icon>` query is ignored). The link is taken out of the text before names are read, so its
  label never mentions anyone by name.
- `@Name` mentions the agent whose name is `Name`, compared case-insensitively (casefold). The name
  runs over letters, digits, `_`, `-` and `.`; trailing `.` and `-` are punctuation, not name
  (`@Alice.` and `@Alice-` mention Alice).
- `@"Multi Word Name"` mentions a name with spaces or other characters (no quote or line break inside).
- An `@` directly after a letter, digit, `_`, `.`, `-` or another `@` is not a mention, so e-mail
  addresses (`bob@example.com`) wake nobody.
- Results are each name (casefolded) or id once, in order of first appearance.
"""
from __future__ import annotations

import re

MAX_NAME_LENGTH = 100

_MENTION = re.compile(
    r'(?<![\w.@-])@(?:"(?P<quoted>[^"\r\n]{1,%d})"|(?P<bare>\w[\w.-]*))' % MAX_NAME_LENGTH
)
# upstream: /\[[^\]]*]\((agent:\/\/[^)\s]+)\)/gi
_AGENT_LINK = re.compile(r"\[[^\]]*\]\((agent://[^)\s]+)\)", re.IGNORECASE)


def mentioned_agent_ids(body: str) -> list[str]:
    """Agent ids named by `[label](agent://<id>)` links, each once, in order (lower-cased)."""
    ids: dict[str, None] = {}
    for match in _AGENT_LINK.finditer(body or ""):
        href = match.group(1)[len("agent://"):]
        agent_id = href.split("?", 1)[0].split("#", 1)[0].strip("/").strip().lower()
        if agent_id:
            ids.setdefault(agent_id, None)
    return list(ids)


def mentioned_names(body: str) -> list[str]:
    """Casefolded names mentioned in `body`, each once, in order of first appearance (structured
    mention links excluded)."""
    names: dict[str, None] = {}
    for match in _MENTION.finditer(_AGENT_LINK.sub(" ", body or "")):
        raw = match.group("quoted")
        if raw is None:
            raw = match.group("bare").rstrip(".-")
        name = raw.strip().casefold()
        if name and len(name) <= MAX_NAME_LENGTH:
            names.setdefault(name, None)
    return list(names)
