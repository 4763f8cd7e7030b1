#!/usr/bin/env bash
# Capture real object dumps from a local Shipyard cluster as rule fixtures.
#
#   packages/deployment-health-test-utils/src/__fixtures__/capture.sh CLUSTER NAMESPACE KUBERNETES_ID [OUT_NAME]
#
# Writes <OUT_NAME or KUBERNETES_ID>.json: {capturedAt, deployments, statefulSets, daemonSets,
# replicaSets, pods, hpas, events}, i.e. the ServiceObjects shape of the rules. managedFields,
# last-applied annotations and env values are removed (the backend stores pods the same way).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
cluster="$1" ns="$2" id="$3" out="${4:-$3}"
k() { "$root/scripts/cluster" kubectl "$cluster" -n "$ns" "$@"; }
sel="backstage.io/kubernetes-id=$id"
tmp="$(mktemp -d)"
for kind in deployments statefulsets daemonsets replicasets pods horizontalpodautoscalers.v2.autoscaling; do
  k get "$kind" -l "$sel" -o json >"$tmp/${kind%%.*}.json"
done
k get events --field-selector type=Warning -o json >"$tmp/events.json"
python3 - "$tmp" "$here/$out.json" <<'PY'
import json, sys, datetime
tmp, out = sys.argv[1], sys.argv[2]
def load(n): return json.load(open(f"{tmp}/{n}.json"))["items"]
def strip(o):
    md = o.get("metadata", {})
    md.pop("managedFields", None)
    (md.get("annotations") or {}).pop("kubectl.kubernetes.io/last-applied-configuration", None)
    spec = o.get("spec", {})
    podspec = spec.get("template", {}).get("spec") if "template" in spec else spec
    for key in ("containers", "initContainers"):
        for c in (podspec or {}).get(key, []) or []:
            if "env" in c: c["env"] = [{"name": e["name"]} for e in c["env"]]
    return o
objs = {
  "deployments": load("deployments"), "statefulSets": load("statefulsets"),
  "daemonSets": load("daemonsets"), "replicaSets": load("replicasets"),
  "pods": load("pods"), "hpas": load("horizontalpodautoscalers"),
}
uids = {o["metadata"]["uid"] for v in objs.values() for o in v}
objs["events"] = [e for e in load("events") if e.get("involvedObject", {}).get("uid") in uids]
res = {"capturedAt": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")}
res.update({k: [strip(o) for o in v] for k, v in objs.items()})
json.dump(res, open(out, "w"), indent=2)
print(out, {k: len(v) for k, v in objs.items()})
PY
rm -rf "$tmp"
