"""problems/P<n>.sh: each problem as a standalone script (bash and curl, nothing else).

The script runs the problem's replay plan (report/replay.py) against $TICONF_TARGET with the
credentials of $TICONF_API_KEY and $TICONF_API_SECRET: it creates its own scratch resources,
learns the IDs the answers give (grep and sed on the JSON text, no jq), prints what the
documentation expects and what the server answered, and deletes what it created on exit.
Exit 0 FIXED, 1 STILL FAILING, 3 the replay went another way or got no answer, 2 missing
settings. No credential is ever written into a script.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from ticonf.core.locations import RAW_DIR
from ticonf.core.records import Oracle
from ticonf.report.problems import NORMALIZE_RULES
from ticonf.report.replay import NotReplayable, Plan, Step, plan_of
from ticonf.report.scrub import REDACTED

HEADER = r"""#!/usr/bin/env bash
# ticonf problem {id}: {title}
# Violates: {requirements}. Found by {test}
# in run {run_id}; the report's target was {target}.
#
# Replays the problem's minimal example on scratch resources this script creates and deletes.
#   TICONF_TARGET=https://api.example.com/v1 TICONF_API_KEY=... TICONF_API_SECRET=... bash {id}.sh
# Exit 0: FIXED. 1: STILL FAILING. 3: the replay went another way (or got no answer).
set -u
: "${{TICONF_TARGET:?set TICONF_TARGET to the API base URL, ending in /v1}}"
: "${{TICONF_API_KEY:?set TICONF_API_KEY}}"
: "${{TICONF_API_SECRET:?set TICONF_API_SECRET}}"
BASE="${{TICONF_TARGET%/}}"
WORK="$(mktemp -d)"
MODELS=()
ASSETS=()
STATUS=000
MEDIA=""
BODY=""

cleanup() {{
  local model list
  for model in "${{MODELS[@]+"${{MODELS[@]}}"}}"; do
    curl -sS -o /dev/null -u "$TICONF_API_KEY:$TICONF_API_SECRET" -X DELETE \
      "$BASE/models/$model" || true
  done
  if [ "${{#ASSETS[@]}}" -gt 0 ]; then
    list="$(printf '"%s",' "${{ASSETS[@]}}")"
    curl -sS -o /dev/null -u "$TICONF_API_KEY:$TICONF_API_SECRET" -X DELETE "$BASE/assets" \
      -H 'content-type: application/json' --data-binary "{{\"assetIds\": [${{list%,}}]}}" || true
  fi
  rm -rf "$WORK"
}}
trap cleanup EXIT

# send METHOD PATH AUTH [HEADER...]: the request body is $REQUEST (unset: no body).
send() {{
  local method="$1" path="$2" auth="$3"
  shift 3
  local args=(-sS -o "$WORK/answer" -w '%{{http_code}} %{{content_type}}' -X "$method")
  case "$auth" in
    target) args+=(-u "$TICONF_API_KEY:$TICONF_API_SECRET") ;;
    none) ;;
    *) args+=(-u "$auth") ;;
  esac
  local header
  for header in "$@"; do args+=(-H "$header"); done
  if [ -n "${{REQUEST+set}}" ]; then
    printf '%s' "$REQUEST" >"$WORK/request"
    args+=(--data-binary "@$WORK/request")
  fi
  local written
  written="$(curl "${{args[@]}}" "$BASE$path")" || written=000
  STATUS="${{written%% *}}"
  MEDIA="${{written#* }}"
  MEDIA="$(printf '%s' "${{MEDIA%%;*}}" | tr 'A-Z' 'a-z' | tr -d ' ')"
  BODY="$(cat "$WORK/answer" 2>/dev/null || true)"
  unset REQUEST
}}

# field KEY N: the value of the Nth "KEY": "..." of the last answer.
field() {{
  printf '%s' "$BODY" | grep -oE "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"\\\\]+\"" | sed -n "$2p" \
    | sed -E 's/.*:[[:space:]]*"(.*)"$/\1/'
}}

# normalize: the answer without whitespace, timestamps and IDs (as ticonf compares answers).
normalize() {{
  tr -d ' \t\r\n' | sed -E {rules}
}}

went_another_way() {{
  echo "INCONCLUSIVE: step $1 answered $STATUS where the record had $2:" \
    "the sequence went another way"
  echo "received: ${{BODY:0:600}}"
  exit 3
}}

created() {{
  local id
  [ "$STATUS" = 200 ] || return 0
  id="$(field id 1)"
  [ -z "$id" ] && return 0
  if [ "$1" = model ]; then MODELS+=("$id"); else ASSETS+=("$id"); fi
}}
"""


def _quoted(text: str) -> str:
    """Text inside double quotes, with @IDn@ variables expanded by the shell."""
    for char in ("\\", '"', "`", "$"):
        text = text.replace(char, "\\" + char)
    return _expand(text, "${ID", "}")


def _expand(text: str, before: str, after: str) -> str:
    import re

    return re.sub(r"@ID([0-9]+)@", lambda m: f"{before}{m.group(1)}{after}", text)


def _step_lines(number: int, step: Step) -> list[str]:
    lines = [f"# step {number} ({step.origin}): {step.method} {step.path}"]
    if step.body is not None:
        marker = "TICONF_BODY_END"
        while marker in step.body:  # the body must not end the here-document early
            marker += "_"
        lines += [f"REQUEST=\"$(cat <<'{marker}'", step.body, marker, ')"']
        for variable in sorted(set(_variables(step.body))):
            name = variable.strip("@")
            lines.append(f'REQUEST="${{REQUEST//{variable}/${name}}}"')
    auth = "target" if step.auth == "target" else "none" if step.auth is None else step.auth
    # a wrong secret made from the right one was scrubbed to [redacted]...: the shell puts it back
    auth = auth.replace(REDACTED, "$TICONF_API_SECRET")
    headers = " ".join(shlex.quote(f"{k}: {v}") for k, v in step.headers.items())
    # `auth` is target, none, or a curl -u word that is already double-quoted shell text
    lines.append(f'send {step.method} "{_quoted(step.path)}" {auth} {headers}'.rstrip())
    if step.creates:
        lines.append(f"created {step.creates}")
    return lines


def _variables(text: str) -> list[str]:
    import re

    return re.findall(r"@ID[0-9]+@", text)


def _proving_lines(step: Step, oracle: Oracle, problem: dict[str, Any]) -> list[str]:
    expected = f"{oracle['expected']} (the record: {oracle['recorded_status']})"
    lines = [
        'if [ "$STATUS" = 000 ]; then echo "INCONCLUSIVE: no answer from $BASE"; exit 3; fi',
        f"echo {shlex.quote('expected: ' + expected)}",
        'echo "received: $STATUS ${BODY:0:600}"',
    ]
    if oracle["kind"] == "status":
        ranges = " || ".join(
            f'{{ [ "$STATUS" -ge {low} ] && [ "$STATUS" -le {high} ]; }}'
            for low, high in oracle["allowed"]
        )
        lines.append(f"if {ranges}; then")
    else:
        lines.append(f"RECORDED={shlex.quote(oracle['normalized_body'])}")
        media = oracle.get("media_type")
        same_media = f' && [ "$MEDIA" = {shlex.quote(media)} ]' if media is not None else ""
        lines.append(
            f'if ! {{ [ "$STATUS" = {oracle["recorded_status"]} ]{same_media} && '
            '[ "$(printf \'%s\' "$BODY" | normalize)" = "$RECORDED" ]; }; then'
        )
    title = f"STILL FAILING: {problem['id']} {problem['title']}"
    lines += [
        f"  echo {shlex.quote('FIXED: ' + problem['id'] + ' no longer shows')}",
        "  exit 0",
        "fi",
        f"echo {shlex.quote(title[:300])}",
        "exit 1",
    ]
    return lines


def script_text(problem: dict[str, Any], plan: Plan, run: dict[str, Any]) -> str:
    rules = " ".join(
        f"-e {shlex.quote(f's/{pattern}/{value}/g')}" for pattern, value in NORMALIZE_RULES
    )
    header = HEADER.format(
        id=problem["id"],
        title=" ".join(problem["title"].split())[:200],
        requirements=", ".join(problem["requirements"]),
        test=problem["example"]["test"],
        run_id=run.get("run_id", ""),
        target=run.get("target", ""),
        rules=rules,
    )
    body: list[str] = []
    for number, step in enumerate(plan.steps, start=1):
        body += _step_lines(number, step)
        if step.proving:
            body += _proving_lines(step, plan.oracle, problem)
            break
        body.append(
            f'[ "$STATUS" = {step.recorded_status} ] || went_another_way {number} '
            f"{step.recorded_status}"
        )
        for variable, key, nth in step.learn:
            name = variable.strip("@")
            body.append(f'{name}="$(field {shlex.quote(key)} {nth})"')
            stop = f'{{ echo "INCONCLUSIVE: step {number} gave no {key}"; exit 3; }}'
            body.append(f'[ -n "${name}" ] || {stop}')
        body.append("")
    return header + "\n" + "\n".join(body) + "\n"


def write_scripts(report: dict[str, Any], report_dir: Path) -> list[Path]:
    """One script per replayable problem under problems/; sets each problem's `script`."""
    written = []
    for problem in report.get("problems", []):
        try:
            plan = plan_of(problem, report["run"], report_dir / RAW_DIR, report.get("replay"))
        except NotReplayable:
            problem["script"] = None
            continue
        path = report_dir / "problems" / f"{problem['id']}.sh"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script_text(problem, plan, report["run"]), encoding="utf-8")
        path.chmod(0o755)
        problem["script"] = f"problems/{problem['id']}.sh"
        written.append(path)
    return written
