#!/usr/bin/env bash
# Capture the Nodes of a local Shipyard cluster (and its API server version) as rule fixtures.
#
#   packages/deployment-health-test-utils/src/__fixtures__/capture-nodes.sh CLUSTER OUT_NAME
#
# Writes <OUT_NAME>.json: {capturedAt, serverVersion, nodes}. managedFields are removed. To
# capture sick nodes, make them sick the way kwok does on YOUR OWN cluster (never dev/prod):
#   scripts/cluster kubectl C label node N shipyard.dev/simulate-node=notready   (or memorypressure)
#   scripts/cluster kubectl C cordon N
# (see scripts/cluster.d/kwok-stages.yaml), wait a few seconds, then capture.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
cluster="$1" out="$2"
k() { "$root/scripts/cluster" kubectl "$cluster" "$@"; }
tmp="$(mktemp -d)"
k get nodes -o json >"$tmp/nodes.json"
k get --raw /version >"$tmp/version.json"
python3 - "$tmp" "$here/$out.json" <<'PY'
import json, sys, datetime
tmp, out = sys.argv[1], sys.argv[2]
nodes = json.load(open(f"{tmp}/nodes.json"))["items"]
for n in nodes:
    n.get("metadata", {}).pop("managedFields", None)
res = {
  "capturedAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
  "serverVersion": json.load(open(f"{tmp}/version.json"))["gitVersion"],
  "nodes": nodes,
}
json.dump(res, open(out, "w"), indent=2)
print(out, len(nodes), "nodes")
PY
rm -rf "$tmp"
