# shellcheck shell=bash
# `scripts/cluster seed`: deploy the example services into a running cluster.
# Sourced by scripts/cluster (uses kc, log, die, BIN_HELM, CLUSTER_D, cdir, kubeconfig_of).
#
# The workloads come from the local chart examples-chart/ rendered by the real helm,
# one release per cluster ("shipyard-examples" in namespace shipyard-system), with
# values-<cluster>.yaml (falling back to values-dev.yaml for other cluster names).
# Idempotent: later runs are `helm upgrade` with the same values (no pod churn).

SEED_RELEASE=shipyard-examples
SEED_NS=shipyard-system

seed_helm() { local name="$1"; shift; "$BIN_HELM" --kubeconfig "$(kubeconfig_of "$name")" "$@"; }

seed_values() {
  local name="$1"
  if [[ -f "${CLUSTER_D}/examples-chart/values-${name}.yaml" ]]; then
    echo "${CLUSTER_D}/examples-chart/values-${name}.yaml"
  else
    echo "${CLUSTER_D}/examples-chart/values-dev.yaml"
  fi
}

seed_wait_available() {
  local name="$1" ns="$2" deploy="$3" timeout="${4:-60}"
  kc "$name" -n "$ns" rollout status "deployment/${deploy}" --timeout="${timeout}s" >/dev/null
}

# Wait until the controller-driven states have settled: every HPA computes from metrics
# (ScalingActive=True) and has reached its desired replica count, and every Deployment
# with a short progress deadline (<= 120 s) has either finished or hit the deadline.
seed_wait_settled() {
  local name="$1" timeout="${SHIPYARD_SEED_WAIT_TIMEOUT:-180}" start pending
  start=$(date +%s)
  log "[$name] seed: waiting for HPAs and rollouts to settle (metrics need about a minute) ..."
  while :; do
    pending="$(
      kc "$name" get hpa -A -l app.kubernetes.io/part-of=shipyard-examples -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.status.currentReplicas} {.status.desiredReplicas} {.status.conditions[?(@.type=="ScalingActive")].status}{"\n"}{end}' |
        awk 'NF && ($4 != "True" || $2 != $3) {print "hpa/" $1}'
      kc "$name" get deploy -A -l app.kubernetes.io/part-of=shipyard-examples -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.spec.progressDeadlineSeconds} {.status.conditions[?(@.type=="Progressing")].reason}{"\n"}{end}' |
        awk 'NF && $2 <= 120 && $3 != "NewReplicaSetAvailable" && $3 != "ProgressDeadlineExceeded" {print "deployment/" $1}'
    )"
    if [[ -z "$pending" ]]; then
      log "[$name] seed: settled after $(($(date +%s) - start))s"
      return 0
    fi
    if (($(date +%s) - start > timeout)); then
      die "[$name] seed: not settled after ${timeout}s: $(tr '\n' ' ' <<<"$pending")"
    fi
    sleep 3
  done
}

seed_cluster() {
  local name="$1" values chart="${CLUSTER_D}/examples-chart"
  values="$(seed_values "$name")"
  local env_label
  env_label="$(cluster_environment "$name")"
  kc "$name" apply -f "${CLUSTER_D}/reader-rbac.yaml" >/dev/null
  local common=(--namespace "$SEED_NS" -f "$values" --set "cluster=${name}" --set "environment=${env_label}")
  if ! seed_helm "$name" status "$SEED_RELEASE" -n "$SEED_NS" >/dev/null 2>&1; then
    log "[$name] seed: helm install ${SEED_RELEASE} (initial versions) with $(basename "$values") ..."
    seed_helm "$name" install "$SEED_RELEASE" "$chart" "${common[@]}" --set phase=initial >/dev/null
    log "[$name] seed: waiting for the initial rollouts ..."
    local d
    while read -r ns d; do
      # services that are meant to be broken from the start never become available
      if [[ -z "$(kc "$name" -n "$ns" get deploy "$d" -o jsonpath='{.spec.template.metadata.labels.shipyard\.dev/simulate}')" ]]; then
        seed_wait_available "$name" "$ns" "$d" 90 || log "[$name] seed: ${ns}/${d} not available yet (continuing)"
      fi
    done < <(kc "$name" get deploy -A -l app.kubernetes.io/part-of=shipyard-examples --no-headers -o custom-columns=NS:.metadata.namespace,N:.metadata.name)
  fi
  # A seed that was interrupted (Ctrl-C, a killed test run) leaves the release
  # pending, and helm refuses every upgrade until it is rolled back.
  # (read whole first: with pipefail, grep -q ending the pipe early could fail it)
  local release_json
  release_json="$(seed_helm "$name" status "$SEED_RELEASE" -n "$SEED_NS" -o json 2>/dev/null || true)"
  if grep -q '"status":"pending-' <<<"$release_json"; then
    log "[$name] seed: ${SEED_RELEASE} was left pending by an interrupted run; rolling it back"
    seed_helm "$name" rollback "$SEED_RELEASE" -n "$SEED_NS" >/dev/null
  fi
  log "[$name] seed: helm upgrade ${SEED_RELEASE} (current versions) ..."
  # Retried: under heavy load a release-record write can time out and its retry then
  # fails with "release: already exists" although the upgrade went through.
  local attempt
  for attempt in 1 2 3; do
    if seed_helm "$name" upgrade "$SEED_RELEASE" "$chart" "${common[@]}" --history-max 5 --set phase=final >/dev/null; then
      break
    fi
    [[ $attempt -lt 3 ]] || die "[$name] seed: helm upgrade failed 3 times"
    log "[$name] seed: helm upgrade failed (attempt ${attempt}), retrying ..."
    sleep 2
  done
  log "[$name] seed: done. Workloads:"
  kc "$name" get deploy,hpa -A -l app.kubernetes.io/part-of=shipyard-examples >&2 || true
}
