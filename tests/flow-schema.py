#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs examples/dataflow with JSON output and validates its data-flow
# sections against data/hotpath-flow.schema-fragment.json. Skips (77)
# without the python3-jsonschema module; once the fragment is merged into
# data/hotpath-report.schema.json, the C schema tests cover this.
import json
import os
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("1..0 # SKIP python3-jsonschema is not installed")
    sys.exit(0)

example, fragment_path = sys.argv[1], sys.argv[2]
env = dict(os.environ, HOTPATH_OUTPUT_FORMAT="json", HOTPATH_LOGS_LIMIT="10")
out = subprocess.run([example], env=env, check=True, capture_output=True, text=True).stdout
report = json.loads(out.strip().splitlines()[-1])

fragment = json.load(open(fragment_path))
schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": fragment["$defs"],
    "type": "object",
    "required": ["sections"],
    "properties": {"sections": {"type": "object", "properties": fragment["sections_properties"],
                                "required": list(fragment["sections_properties"].keys())}},
}
jsonschema.Draft202012Validator.check_schema(schema)
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(report))
print("1..1")
if errors:
    for error in errors[:10]:
        print("# %s at %s" % (error.message, list(error.path)))
    print("not ok 1 /Hotpath/Flow/schema")
    sys.exit(1)
print("ok 1 /Hotpath/Flow/schema")
