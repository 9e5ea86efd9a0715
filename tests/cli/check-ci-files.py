#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-ci-files.py DATA_CI_DIR: the CI recipes in data/ci/ parse as YAML
and have the shape their platform needs (a GitLab job with a script; two
GitHub workflows, the second triggered by the first), and each records with
`hotpath record` and compares with `hotpath compare`. Skips without PyYAML."""

import pathlib
import sys

try:
    import yaml
except ImportError:
    print("1..0 # SKIP PyYAML is not installed")
    sys.exit(0)

root = pathlib.Path(sys.argv[1])
checks = []


def check(name, condition):
    checks.append((name, bool(condition)))


gitlab = yaml.safe_load((root / "hotpath.gitlab-ci.yml").read_text())
job = gitlab.get("hotpath-compare", {})
script = "\n".join(job.get("script", []))
check("gitlab: the job runs on merge requests",
      any("merge_request_event" in str(rule.get("if", "")) for rule in job.get("rules", [])))
check("gitlab: records and compares",
      "hotpath record" in script and "hotpath compare" in script)
check("gitlab: keeps the reports", "hotpath/" in job.get("artifacts", {}).get("paths", []))

compare = yaml.safe_load((root / "hotpath-compare.yml").read_text())
comment = yaml.safe_load((root / "hotpath-comment.yml").read_text())
# PyYAML reads the key `on` as True.
compare_on = compare.get("on", compare.get(True, {}))
comment_on = comment.get("on", comment.get(True, {}))
steps = compare["jobs"]["compare"]["steps"]
runs = "\n".join(step.get("run", "") for step in steps)
check("github: compare runs on pull requests, read-only",
      "pull_request" in compare_on and compare.get("permissions") == {"contents": "read"})
check("github: records and compares", "hotpath record" in runs and "hotpath compare" in runs)
check("github: comment runs after compare",
      comment_on.get("workflow_run", {}).get("workflows") == [compare["name"]])
check("github: comment may write pull requests",
      comment.get("permissions", {}).get("pull-requests") == "write")

print(f"1..{len(checks)}")
for number, (name, ok) in enumerate(checks, 1):
    print(f"{'ok' if ok else 'not ok'} {number} - {name}")
sys.exit(0 if all(ok for _, ok in checks) else 1)
