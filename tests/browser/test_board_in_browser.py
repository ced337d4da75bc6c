"""The board page in a real headless Chromium against `make run`'s server (issue 12).

What a board user does: add a schedule trigger in Europe/Amsterdam and read its next fire times across
the DST change (in the trigger's zone and the viewer's, America/New_York here); run a routine and
follow its run to the issue; watch a scheduled run's nominal tick beside its trigger time; see who has
an issue checked out after an agent checks it out through the API; read documents, revisions,
comments and attachments; add a webhook trigger and use the shown recipe to fire it; the activity feed
and an agent's heartbeat runs; sign in with a board token; keyboard use, labels, contrast and phone
width. Each view is saved as a screenshot in test-artifacts/board/.
"""
from __future__ import annotations

import base64
import subprocess
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.browser.conftest import VIEWER_ZONE

pytestmark = pytest.mark.xdist_group("browser")

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
VIEWER = ZoneInfo(VIEWER_ZONE)
UTC = timezone.utc
DST_CRON = "30 2 26-30 3 *"  # 02:30 on 26..30 March: five fire times around Europe's spring-forward Sunday


def _gmt(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "GMT"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _shown(instant: datetime, zone: ZoneInfo) -> str:
    """How the page writes an instant in a zone: "Fri 26 Mar 2027, 02:30 GMT+1"."""
    local = instant.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b} {local.year}, {local:%H:%M} {_gmt(local.utcoffset())}"


def _expected_dst_fire_times(now: datetime) -> list[datetime]:
    """DST_CRON's next five fire times, worked out here from the README's rule: 02:30 on the night the
    clocks jump from 02:00 to 03:00 does not exist and fires at the first instant after the gap (03:00
    CEST). Before 26 March 2027 that is 26..30 March 2027, across the change on Sunday the 28th."""
    year = now.year if now < datetime(now.year, 3, 26, tzinfo=AMSTERDAM) else now.year + 1
    times = []
    for day in range(26, 31):
        wall = datetime(year, 3, day, 2, 30)
        instant = wall.replace(tzinfo=AMSTERDAM).astimezone(UTC)
        if instant.astimezone(AMSTERDAM).replace(tzinfo=None) != wall:  # in the gap
            instant = datetime(year, 3, day, 2, 0, tzinfo=AMSTERDAM).astimezone(UTC)  # the jump itself
        times.append(instant)
    return times


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _routine(world, title: str, **extra) -> dict:
    body = {"title": title, "projectId": world.project["id"], "assigneeAgentId": world.ada["id"], **extra}
    return world.server.call("POST", f"/companies/{world.cid}/routines", body, expect=201)


def _card(board, routine_id: str):
    return board.wait(f'article[data-routine-id="{routine_id}"]')


def _button(board, root, label: str):
    return next(b for b in board.all("button", root) if b.text.strip() == label)


def _fill(element, text: str) -> None:
    element.clear()
    element.send_keys(text)


def test_a_schedule_trigger_in_amsterdam_shows_its_next_fire_times_across_the_dst_change(board, world):
    routine = _routine(world, "Spring maintenance")
    board.open(f"/companies/{world.cid}/routines", "Routines")
    card = _card(board, routine["id"])
    _button(board, card, "Add trigger").click()
    form = board.wait("form.trigger-form", root=card)
    _fill(form.find_element("xpath", ".//label[normalize-space()='Label (optional)']/following-sibling::input"), "Amsterdam nights")
    cron = form.find_element("css selector", "input.mono")
    _fill(cron, DST_CRON)
    zone = form.find_element("xpath", ".//label[normalize-space()='Time zone (IANA)']/following-sibling::input")
    _fill(zone, "Europe/Amsterdam")
    assert form.find_element("css selector", ".cron-words").text == \
        "At 02:30, on days 26 to 30 of the month, in March (Europe/Amsterdam time)"
    _button(board, form, "Add trigger").click()

    expected = _expected_dst_fire_times(datetime.now(UTC))
    table = board.wait(f'article[data-routine-id="{routine["id"]}"] table.fire-times:not([aria-busy])')
    rows = board.all("tbody tr[data-iso]", table)
    assert [r.get_attribute("data-iso") for r in rows] == [_iso(t) for t in expected]
    assert [r.find_element("css selector", ".in-trigger-zone").text for r in rows] == [_shown(t, AMSTERDAM) for t in expected]
    assert [r.find_element("css selector", ".in-viewer-zone").text for r in rows] == [_shown(t, VIEWER) for t in expected]
    # The change is inside the window: the wall clock stays at 02:30 but the offset moves to +2, and the
    # night with no 02:30 fires at 03:00.
    shown = [r.find_element("css selector", ".in-trigger-zone").text for r in rows]
    assert shown[1].endswith("02:30 GMT+1") and shown[2].endswith("03:00 GMT+2") and shown[3].endswith("02:30 GMT+2")
    headers = [th.text for th in board.all("thead th", table)]
    assert headers == ["#", "In Europe/Amsterdam (trigger)", f"In {VIEWER_ZONE} (yours)"]
    trigger = board.wait(f'article[data-routine-id="{routine["id"]}"] li.trigger[data-kind="schedule"]')
    assert "Amsterdam nights" in trigger.text
    assert trigger.find_element("css selector", ".cron-words").text == "At 02:30, on days 26 to 30 of the month, in March"
    assert trigger.find_element("css selector", ".cron-expression").text == DST_CRON
    assert "(Europe/Amsterdam time)" in trigger.find_element("css selector", ".cron").text
    # What the page shows is what the API says.
    detail = world.server.call("GET", f"/routines/{routine['id']}", expect=200)
    [api_trigger] = detail["triggers"]
    assert (api_trigger["cronExpression"], api_trigger["timezone"], api_trigger["label"]) == (DST_CRON, "Europe/Amsterdam", "Amsterdam nights")
    board.screenshot("routines-dst-fire-times")


def test_run_now_shows_the_run_and_its_issue_and_a_second_run_coalesces_into_it(board, world):
    routine = _routine(world, "Weekly report {{date}}", description="Summarise the week.\n\n- wins\n- risks")
    world.server.call("POST", f"/routines/{routine['id']}/triggers",
                      {"kind": "schedule", "cronExpression": "0 9 1 1 *", "timezone": "Europe/Amsterdam", "label": "New year"}, expect=201)
    board.open(f"/companies/{world.cid}/routines", "Routines")
    _button(board, _card(board, routine["id"]), "Run now").click()
    notice = board.wait(f'article[data-routine-id="{routine["id"]}"] .notice', "created an issue")
    [run] = world.server.call("GET", f"/routines/{routine['id']}/runs", expect=200)
    assert run["status"] == "issue_created" and run["source"] == "manual"
    issue = world.server.call("GET", f"/issues/{run['linkedIssueId']}", expect=200)
    assert run["id"][:8] in notice.text
    card = _card(board, routine["id"])
    live = card.find_element("css selector", ".live-issue")
    assert issue["identifier"] in live.text and issue["title"] in live.text and "todo" in live.text
    board.screenshot("routines")  # the README's picture: live issue, last run, triggers and fire times

    card.find_element("link text", "Weekly report {{date}}").click()
    board.wait_view("Weekly report {{date}}")
    first_row = board.wait(f'tr[data-run-id="{run["id"]}"]')
    assert first_row.get_attribute("data-status") == "issue_created"
    assert first_row.find_element("css selector", ".linked-issue").text == issue["identifier"]
    assert "manual" in first_row.text

    _button(board, board.wait("main article.card"), "Run now").click()
    board.wait("main article.card .notice", "coalesced")
    runs = world.server.call("GET", f"/routines/{routine['id']}/runs", expect=200)
    assert [r["status"] for r in runs] == ["coalesced", "issue_created"]
    second = board.wait(f'tr[data-run-id="{runs[0]["id"]}"]')
    assert second.get_attribute("data-status") == "coalesced"
    assert second.find_element("css selector", ".linked-issue").text == issue["identifier"]
    jump = second.find_element("css selector", ".coalesced-into button")
    assert jump.text == f"run {run['id'][:8]}"
    jump.click()
    assert board.js("return document.activeElement.id") == f"run-{run['id']}"
    board.screenshot("routine-run-history")

    first_row = board.wait(f'tr[data-run-id="{run["id"]}"]')
    first_row.find_element("css selector", ".linked-issue a").click()
    board.wait_view(issue["identifier"])
    assert issue["title"] in board.wait("main h1").text
    assert "routine run" in board.wait("main .facts").text


def test_a_scheduled_run_shows_its_nominal_tick_beside_when_it_fired(board, world):
    routine = _routine(world, "Nightly check")
    result = world.server.call("POST", f"/routines/{routine['id']}/triggers",
                               {"kind": "schedule", "cronExpression": "0 3 * * *", "timezone": "UTC"}, expect=201)
    trigger = result["trigger"]
    due = datetime.fromisoformat(trigger["nextRunAt"].replace("Z", "+00:00"))
    # The tick that fires it, 7 s after its nominal time (time is injected: the runner's own minute loop
    # would only get there at 03:00 UTC). Then the trigger is disabled, so nothing else fires meanwhile.
    report = world.server.tick(due + timedelta(seconds=7))
    world.server.call("PATCH", f"/routine-triggers/{trigger['id']}", {"enabled": False}, expect=200)
    assert report["fired"] >= 1
    [run] = world.server.call("GET", f"/routines/{routine['id']}/runs", expect=200)
    assert run["source"] == "schedule" and run["scheduledFor"] == _iso(due)

    board.open(f"/companies/{world.cid}/routines/{routine['id']}", "Nightly check")
    row = board.wait(f'tr[data-run-id="{run["id"]}"]')
    assert row.find_element("css selector", ".scheduled-for time").get_attribute("datetime") == _iso(due)
    assert row.find_element("css selector", ".scheduled-for").text == _shown(due, VIEWER)
    assert row.find_element("css selector", ".triggered-at time").get_attribute("datetime") == run["triggeredAt"]
    assert row.find_element("css selector", ".triggered-at").text == f"{_shown(due + timedelta(seconds=7), VIEWER)} (+7 s)"
    assert "schedule" in row.text and row.get_attribute("data-status") == "issue_created"
    item = board.wait(f'li.trigger[data-trigger-id="{trigger["id"]}"]')
    last_fired = item.find_element("xpath", ".//dt[normalize-space()='Last fired']/following-sibling::dd/time")
    assert last_fired.get_attribute("datetime") == run["triggeredAt"]
    assert "disabled" in item.text and "Not firing while the trigger is disabled" in item.text


def test_an_issue_checked_out_through_the_api_shows_its_holder(board, world):
    s, cid = world.server, world.cid
    issue = s.call("POST", f"/companies/{cid}/issues", {"title": "Fix the flaky deploy", "priority": "high",
                                                        "assigneeAgentId": world.bob["id"]}, expect=201)
    key = s.call("POST", f"/agents/{world.bob['id']}/keys", {"name": "laptop"}, expect=201)["token"]
    started = s.call("POST", f"/agents/{world.bob['id']}/heartbeat/invoke", {}, token=key, expect=200)
    run_id = started["run"]["id"]
    s.call("POST", f"/issues/{issue['identifier']}/checkout", {"agentId": world.bob["id"], "expectedStatuses": ["todo"]},
           token=started["token"], run_id=run_id, expect=200)

    board.open(f"/companies/{cid}/issues", "Issues")
    column = board.wait('section.column[data-status="in_progress"]')
    card = board.wait(f'li.issue-card[data-identifier="{issue["identifier"]}"]', root=column)
    assert "Fix the flaky deploy" in card.text and "high" in card.text and "Bob" in card.text
    holder = card.find_element("css selector", ".holder")
    assert holder.text == f"Checked out by Bob (run {run_id[:8]})"
    assert board.all(f'section.column[data-status="todo"] li[data-identifier="{issue["identifier"]}"]') == []
    board.screenshot("issue-board")

    card.find_element("css selector", "a").click()
    board.wait_view(issue["identifier"])
    assert board.wait("main .holder").text == f"Checked out by Bob (run {run_id[:8]})"


def test_issue_detail_renders_documents_revisions_comments_and_attachments_safely(board, world):
    s, cid = world.server, world.cid
    issue = s.call("POST", f"/companies/{cid}/issues", {"title": "Write the runbook", "description": "See the **plan**."}, expect=201)
    first = s.call("PUT", f"/issues/{issue['id']}/documents/plan",
                   {"title": "Plan", "format": "markdown", "body": "# Draft\n\nfirst take"}, expect=201)
    body = ("# Runbook\n\nSteps:\n\n1. Drain the queue\n2. Deploy `v2`\n   - check [the dashboard](https://example.com/d)\n\n"
            "| step | owner |\n|---|---|\n| drain | Ada |\n\n"
            "<script>window.pwned = 1</script> <img src=x onerror=\"window.pwned = 2\"> [bad](javascript:alert(1))\n\n"
            "```\nkubectl rollout restart\n```")
    s.call("PUT", f"/issues/{issue['id']}/documents/plan", {"title": "Plan", "format": "markdown", "body": body,
                                                          "baseRevisionId": first["latestRevisionId"], "changeSummary": "full runbook"},
           expect=200)
    s.call("POST", f"/issues/{issue['id']}/comments", {"body": "Looks good, @Ada: _ship it_"}, expect=201)
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    uploaded = requests.post(f"{s.url}/api/companies/{cid}/issues/{issue['id']}/attachments",
                             files={"file": ("dot.png", png, "image/png")}, timeout=60)
    assert uploaded.status_code == 201, uploaded.text

    board.open(f"/companies/{cid}/issues/{issue['identifier']}", issue["identifier"])
    doc = board.wait('article.document[data-key="plan"]')
    markdown = doc.find_element("css selector", ".markdown")
    assert markdown.find_element("css selector", "h3").text == "Runbook"
    assert [li.text.split("\n")[0] for li in board.all("ol > li", markdown)] == ["Drain the queue", "Deploy v2"]
    assert markdown.find_element("css selector", "ol code").text == "v2"
    link = markdown.find_element("link text", "the dashboard")
    assert link.get_attribute("href") == "https://example.com/d" and link.get_attribute("rel") == "noopener noreferrer nofollow"
    assert [td.text for td in board.all("tbody td", markdown)] == ["drain", "Ada"]
    assert markdown.find_element("css selector", "pre code").text == "kubectl rollout restart"
    # Raw HTML is text; a javascript: link is no link.
    assert "<script>window.pwned = 1</script>" in markdown.text and '<img src=x onerror="window.pwned = 2">' in markdown.text
    assert board.all("script, img", markdown) == [] and board.js("return window.pwned === undefined")
    assert board.all("a", markdown) == [link]
    assert "Revision 2" in doc.text

    doc.find_element("css selector", "details.revisions summary").click()
    revisions = board.wait('details.revisions li[data-revision="1"]', root=doc)
    assert [li.get_attribute("data-revision") for li in board.all("details.revisions li[data-revision]", doc)] == ["2", "1"]
    assert "full runbook" in board.wait('li[data-revision="2"]', root=doc).text
    revisions.find_element("css selector", "summary").click()
    assert board.wait(".markdown h3", "Draft", root=revisions).text == "Draft"

    comment = board.wait("li.comment")
    assert comment.find_element("css selector", "em").text == "ship it" and "Board" in comment.text
    attachment = board.wait("section.attachments li")
    assert "dot.png" in attachment.text and "image/png" in attachment.text
    _button(board, attachment, "Show").click()
    image = board.wait("section.attachments .preview img")
    assert image.get_attribute("src").startswith("blob:") and image.get_attribute("alt") == "dot.png"
    assert board.js("return arguments[0].naturalWidth", image) == 1
    assert board.wait("section.description .markdown strong").text == "plan"
    board.screenshot("issue-detail")


def _run_recipe(shell: str) -> requests.Response:
    """Run a recipe as a user pastes it into bash; curl prints the response body and the status."""
    result = subprocess.run(["bash", "-c", f"set -euo pipefail\n{shell} -w '\\n%{{http_code}}'"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    body, _, status = result.stdout.rpartition("\n")
    return int(status), body


def test_a_webhook_trigger_shows_its_url_secret_and_a_recipe_that_fires_it(board, world):
    routine = _routine(world, "Deploy hook", concurrencyPolicy="always_enqueue")
    board.open(f"/companies/{world.cid}/routines/{routine['id']}", "Deploy hook")
    card = board.wait("main article.card")
    _button(board, card, "Add trigger").click()
    form = board.wait("form.trigger-form", root=card)
    form.find_element("xpath", ".//label[normalize-space()='Webhook']").click()
    mode = form.find_element("xpath", ".//label[normalize-space()='Signing mode']/following-sibling::select")
    mode.find_element("css selector", "option[value='standard_webhooks']").click()
    _button(board, form, "Add trigger").click()

    panel = board.wait(".secret-panel")
    url = panel.find_element("css selector", "code.webhook-url").text
    secret = panel.find_element("css selector", "code.webhook-secret").text
    [trigger] = [t for t in world.server.call("GET", f"/routines/{routine['id']}", expect=200)["triggers"] if t["kind"] == "webhook"]
    assert url == f"{world.server.url}/api/routine-triggers/public/{trigger['publicId']}/fire"
    assert secret.startswith("whsec_") and trigger["signingMode"] == "standard_webhooks"
    assert "webhook-signature: v1," in panel.text
    recipe = panel.find_element("css selector", "pre.recipe").text
    board.screenshot("webhook-secret")
    status, body = _run_recipe(recipe)
    assert status == 202, body

    card = board.wait("main article.card")
    webhook = board.wait('li.trigger[data-kind="webhook"]', root=card)
    board.js("window.confirm = () => true")  # the rotate button asks first
    _button(board, webhook, "Rotate secret").click()
    rotated = board.wait(".secret-panel h3", "New webhook secret")
    panel = board.wait(".secret-panel")
    assert rotated.text == "New webhook secret (shown once)"
    new_recipe = panel.find_element("css selector", "pre.recipe").text
    assert panel.find_element("css selector", "code.webhook-secret").text != secret
    assert panel.find_element("css selector", "code.webhook-url").text == url
    assert _run_recipe(new_recipe)[0] == 202
    assert _run_recipe(recipe)[0] == 401  # the old secret stopped working
    runs = world.server.call("GET", f"/routines/{routine['id']}/runs", expect=200)
    assert [r["source"] for r in runs] == ["webhook", "webhook"]
    board.console_errors()  # nothing was refused by the page itself; drain the log


@pytest.mark.parametrize("mode", ["bearer", "hmac_sha256", "github_hmac", "none"])
def test_every_signing_modes_recipe_fires_its_trigger(board, world, mode):
    routine = _routine(world, f"Hook {mode}", concurrencyPolicy="always_enqueue")
    created = world.server.call("POST", f"/routines/{routine['id']}/triggers", {"kind": "webhook", "signingMode": mode}, expect=201)
    material = created["secretMaterial"]
    board.open("/", "Companies")
    shell = board.module("webhook-recipe.js", "return m.recipe(...args)", mode, material["webhookUrl"], material["webhookSecret"])
    status, body = _run_recipe(shell)
    assert status == 202, body
    if mode != "none":  # the recipe really signs: a wrong secret is refused
        assert _run_recipe(shell.replace(material["webhookSecret"], material["webhookSecret"][:-4] + "0000"))[0] == 401


def test_activity_feed_and_an_agents_heartbeat_runs(board, world):
    s, cid = world.server, world.cid
    issue = s.call("POST", f"/companies/{cid}/issues", {"title": "Triage alerts", "assigneeAgentId": world.ada["id"]}, expect=201)
    board.open(f"/companies/{cid}/activity", "Activity")
    event = board.wait('li.event[data-action="issue.created"]', issue["identifier"])
    assert event.find_element("link text", issue["identifier"]).get_attribute("href").endswith(f"/issues/{issue['id']}")
    assert "Local board" in event.text
    board.screenshot("activity")

    board.open(f"/companies/{cid}/agents", "Agents")
    row = board.wait(f'tr[data-agent-id="{world.ada["id"]}"]')
    assert "engineer" in row.text
    board.screenshot("agents")
    row.find_element("link text", "Ada").click()
    board.wait_view("Ada")
    runs = s.call("GET", f"/agents/{world.ada['id']}/heartbeat-runs", expect=200)
    queued = next(r for r in runs if r["status"] == "queued")
    row = board.wait(f'tr[data-run-id="{queued["id"]}"]')
    assert row.get_attribute("data-status") == "queued"
    assert "issue_assigned" in row.text or "routine_dispatched" in row.text
    board.screenshot("agent-heartbeat-runs")


@pytest.fixture(scope="module")
def every_view(world):
    """(fragment, heading) of every view, with data of their own so that each view has content (a
    routine with a schedule trigger and a run, its issue with a comment and a document, an agent with a
    heartbeat run) whichever tests ran before."""
    s, cid = world.server, world.cid
    routine = _routine(world, "Accessible routine")
    s.call("POST", f"/routines/{routine['id']}/triggers",
           {"kind": "schedule", "cronExpression": "30 2 * * 1-5", "timezone": "Europe/Amsterdam"}, expect=201)
    run = s.call("POST", f"/routines/{routine['id']}/run", {}, expect=202)
    issue = s.call("GET", f"/issues/{run['linkedIssueId']}", expect=200)
    s.call("POST", f"/issues/{issue['id']}/comments", {"body": "A **comment** with [a link](https://example.com)"}, expect=201)
    s.call("PUT", f"/issues/{issue['id']}/documents/notes", {"title": "Notes", "format": "markdown", "body": "# Notes\n\n- one"},
           expect=201)
    return [(f"/companies/{cid}/routines", "Routines"), (f"/companies/{cid}/routines/{routine['id']}", "Accessible routine"),
            (f"/companies/{cid}/issues", "Issues"), (f"/companies/{cid}/issues/{issue['identifier']}", issue["identifier"]),
            (f"/companies/{cid}/activity", "Activity"), (f"/companies/{cid}/agents", "Agents"),
            (f"/companies/{cid}/agents/{world.ada['id']}", "Ada"), ("/", "Companies")]


def test_keyboard_alone_reaches_every_view_and_forms_are_labelled(board, world, every_view):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    board.driver.get("about:blank")  # a fresh load: focus starts at the top of the document
    board.open(f"/companies/{world.cid}/routines", "Routines")
    ActionChains(board.driver).send_keys(Keys.TAB).perform()
    assert board.js("return document.activeElement.id") == "skip-link"
    board.driver.switch_to.active_element.send_keys(Keys.ENTER)
    assert board.js("return document.activeElement.id") == "main"
    # Tab from the top through the header to the Issues tab, then Enter: the board opens and focus
    # lands on its heading.
    board.js("document.getElementById('skip-link').focus()")
    for _ in range(10):
        board.driver.switch_to.active_element.send_keys(Keys.TAB)
        if board.js("return document.activeElement.textContent") == "Issues":
            break
    assert board.js("return document.activeElement.getAttribute('href')") == f"#/companies/{world.cid}/issues"
    board.driver.switch_to.active_element.send_keys(Keys.ENTER)
    board.wait_view("Issues")
    assert board.js("return document.activeElement.tagName") == "H1"

    # Every view: no control without a label or accessible name, no image without alt text.
    for fragment, heading in every_view:
        board.open(fragment, heading)
        if heading == "Routines":  # the trigger form's fields too
            _button(board, board.wait("main article.card"), "Add trigger").click()
            board.wait("form.trigger-form")
        unlabelled = board.js("""
            return [...document.querySelectorAll('input, select, textarea, button, a[href]')].filter((el) => {
              if (el.type === 'hidden') return false;
              if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
              if (['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) return ![...el.labels].some((l) => l.textContent.trim());
              return !el.textContent.trim();
            }).map((el) => el.outerHTML.slice(0, 120));""")
        assert unlabelled == [], (fragment, unlabelled)
        assert board.js("return [...document.images].filter((i) => !i.alt).length") == 0


CONTRAST_SCRIPT = """
function rgb(s) { const m = s.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; }
function lum(c) { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); }
function background(el) {
  for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.a > 0.5) return c; }
  return {r: 255, g: 255, b: 255, a: 1};
}
const bad = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!node.textContent.trim() || !el.getClientRects().length || el.closest('.visually-hidden, .sr-label, [hidden]')) continue;
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || el.closest('.skip-link')) continue;
  const fg = rgb(style.color), bg = background(el);
  const ratio = (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
  if (ratio < 4.5) bad.push(`${ratio.toFixed(2)} ${el.tagName}.${el.className}: ${node.textContent.trim().slice(0, 40)}`);
}
return bad;
"""


def test_text_meets_wcag_aa_contrast_on_every_view(board, world, every_view):
    for fragment, heading in every_view:
        board.open(fragment, heading)
        board.until(lambda d: not d.find_elements("css selector", "[aria-busy]"), "fire times")
        assert board.js(CONTRAST_SCRIPT) == [], fragment


PHONE_SHOTS = ["phone-routines", "phone-routine", "phone-issues", "phone-issue", "phone-activity", "phone-agents", "phone-agent",
               "phone-companies"]


def test_phone_width_needs_no_sideways_scrolling(board, world, every_view):
    driver = board.driver
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        for name, (fragment, heading) in zip(PHONE_SHOTS, every_view, strict=True):
            board.open(fragment, heading)
            board.until(lambda d: not d.find_elements("css selector", "[aria-busy]"), "fire times")
            assert board.js("return document.documentElement.scrollWidth <= window.innerWidth"), name
            # Nor inside: no table or board column that needs scrolling sideways (wide tables stack
            # into one card per row, every cell under its column's name).
            assert board.js("""return [...document.querySelectorAll('.table-wrap, .board')]
                .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.outerHTML.slice(0, 80))""") == [], name
            assert board.js("return [...document.querySelectorAll('table.stack tbody tr > *')].filter((c) => !c.dataset.label).length") == 0
            board.screenshot(name, full_page=False)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


CRON_WORDS = {
    "* * * * *": "Every minute",
    "*/15 * * * *": "Every 15 minutes",
    "0 * * * *": "Every hour, on the hour",
    "30 2 * * *": "At 02:30, every day",
    "30 9 * * 1-5": "At 09:30, on Monday to Friday",
    "0 9,17 * * *": "At 09:00 and 17:00, every day",
    "30 2 26-30 3 *": "At 02:30, on days 26 to 30 of the month, in March",
    "0 0 13 * 5": "At 00:00, on day 13 of the month or on Friday",  # POSIX: either day field matches
    "0 8 * * 7": "At 08:00, on Sunday",
    "0 8 * * FRI-SUN": "At 08:00, on Friday to Sunday",
    "0 0 1 jan,jul *": "At 00:00, on day 1 of the month, in January and July",
    "0 */6 * * *": "Every 6 hours, at the hour",
    "15 10 */2 * *": "At 10:15, on every 2nd day of the month",
    "0 0 * * * *": None, "61 * * * *": None, "@daily": None, "5-1 * * * *": None,
}


def test_cron_expressions_read_in_words(board, world):
    board.open("/", "Companies")
    words = board.module("cron-words.js", "return args[0].map((e) => m.describeCron(e))", list(CRON_WORDS))
    assert dict(zip(CRON_WORDS, words)) == CRON_WORDS


def test_signing_in_with_a_board_token_keeps_it_in_session_storage_only(browser, screenshots, live_server, authenticated):
    """A deployed stage (AUTH_MODE=authenticated): the page asks for a board token, keeps it in this
    tab's sessionStorage, never in a URL, and sends it as a bearer token. (The app behind a live
    server in this process: `make run` is local_trusted.)"""
    from chalicelib import clock
    from chalicelib.services.org import board_users
    from tests.browser.conftest import Board

    user, token = board_users.create(None, {"name": "Dana", "isInstanceAdmin": True}, clock.current().now())
    assert requests.get(f"{live_server}/api/companies", timeout=30).status_code == 401
    created = requests.post(f"{live_server}/api/companies", json={"name": "Signed Co"}, timeout=30,
                            headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201
    board = Board(browser, live_server, screenshots)
    browser.get(f"{live_server}/board#/")
    board.wait_view("Sign in")
    field = board.wait("input[type=password]")
    assert not board.js("return arguments[0].hasAttribute('name')", field)  # nothing a plain form submission could put in a URL
    field.send_keys("pcb_" + "0" * 48)
    _button(board, board.wait("form"), "Sign in").click()
    assert board.wait(".form-error", "not accepted").text == "That token was not accepted."
    assert board.js("return sessionStorage.getItem('paperclip.boardToken')") is None

    field = board.wait("input[type=password]")
    field.clear()
    field.send_keys(token)
    _button(board, board.wait("form"), "Sign in").click()
    board.wait_view("Companies")
    assert board.wait("h2 a", "Signed Co")
    assert "Signed in as Dana" in board.wait("#session").text
    assert board.js("return sessionStorage.getItem('paperclip.boardToken')") == token
    assert board.js("return localStorage.length") == 0 and board.js("return document.cookie") == ""
    assert token not in browser.current_url
    history = board.js("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert history and not [u for u in history if token in u]

    browser.refresh()  # the same tab keeps the session
    board.wait_view("Companies")
    board.screenshot("signed-in-companies")
    _button(board, board.wait("#session"), "Sign out").click()
    board.wait_view("Sign in")
    assert board.js("return sessionStorage.getItem('paperclip.boardToken')") is None
    board.console_errors()  # the refused token's 401 is expected; drain the log
