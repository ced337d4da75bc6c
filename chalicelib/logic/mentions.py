"""@-mentions in comment bodies (SPEC §4). Pure: text in, names out.

- `@Name` mentions the agent whose name is `Name`, compared case-insensitively (casefold). The name
  runs over letters, digits, `_`, `-` and `.`; trailing `.` and `-` are punctuation, not name
  (`@Alice.` and `@Alice-` mention Alice).
- `@"Multi Word Name"` mentions a name with spaces or other characters (no quote or line break inside).
- An `@` directly after a letter, digit, `_`, `.`, `-` or another `@` is not a mention, so e-mail
  addresses (`bob@example.com`) wake nobody.
- The result is each mentioned name once, casefolded, in order of first appearance.
"""
from __future__ import annotations

import re

MAX_NAME_LENGTH = 100

_MENTION = re.compile(
    r'(?<![\w.@-])@(?:"(?P<quoted>[^"\r\n]{1,%d})"|(?P<bare>\w[\w.-]*))' % MAX_NAME_LENGTH
)


def mentioned_names(body: str) -> list[str]:
    """Casefolded names mentioned in `body`, each once, in order of first appearance."""
    names: dict[str, None] = {}
    for match in _MENTION.finditer(body or ""):
        raw = match.group("quoted")
        if raw is None:
            raw = match.group("bare").rstrip(".-")
        name = raw.strip().casefold()
        if name and len(name) <= MAX_NAME_LENGTH:
            names.setdefault(name, None)
    return list(names)
