# shellcheck shell=bash
# `scripts/cluster up` and `down`: create a cluster with kwokctl (nodes, reader and
# deployer identities, env.json) and stop it again, leaving no process or state behind.
# Sourced by scripts/cluster (uses its per-cluster facts: cdir, kc, kwokctl_env, ...).

# ------------------------------------------------------------------ up
# What each simulated node offers to pods, as a real node reports it. With
# ephemeral-storage: charts that request it (as kube-score asks) are scheduled
# only where it is allocatable.
NODE_RESOURCES='{"cpu": "8", "memory": "32Gi", "ephemeral-storage": "100Gi", "pods": "110"}'

write_nodes() {
  local name="$1" i zones=(a b c)
  {
    for ((i = 0; i < NODE_COUNT; i++)); do
      cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: ${name}-node-${i}
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
    # metrics-server scrapes kwok's per-node resource metrics at this path
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/${name}-node-${i}/metrics/resource
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: ${name}-node-${i}
    node.kubernetes.io/instance-type: sim.large
    topology.kubernetes.io/region: local-${name}
    topology.kubernetes.io/zone: local-${name}-${zones[i % 3]}
status:
  addresses:
  - {type: InternalIP, address: 127.0.0.1}
  - {type: Hostname, address: ${name}-node-${i}}
  allocatable: ${NODE_RESOURCES}
  capacity: ${NODE_RESOURCES}
EOF
    done
  } | kc "$name" apply -f - >/dev/null
}

# Issues the long-lived token of a ServiceAccount (legacy token Secret <sa>-token in
# shipyard-system) into FILE.
issue_token() {
  local name="$1" sa="$2" file="$3" token i
  log "[$name] waiting for the ${sa} token ..."
  for ((i = 0; i < 60; i++)); do
    token="$(kc "$name" -n "$READER_NS" get secret "${sa}-token" -o jsonpath='{.data.token}' 2>/dev/null || true)"
    [[ -n "$token" ]] && break
    sleep 0.5
  done
  [[ -n "$token" ]] || die "[$name] service-account token for ${sa} was never issued (is the token controller running?)"
  (umask 077 && base64 -d <<<"$token" >"$file")
}

# The RBAC files of the two identities; a running cluster re-applies them when they change.
rbac_sha() { cat "${CLUSTER_D}/reader-rbac.yaml" "${CLUSTER_D}/deployer-rbac.yaml" | sha256sum | cut -c1-16; }

# The backend's read-only identity and the scaffolder's deployer identity.
setup_reader() {
  local name="$1" dir ca
  dir="$(cdir "$name")"
  kc "$name" apply -f "${CLUSTER_D}/reader-rbac.yaml" -f "${CLUSTER_D}/deployer-rbac.yaml" >/dev/null
  # Earlier versions bound the deployer to `edit` in every namespace; apply does not
  # remove what a file no longer has, so that binding is deleted by name.
  kc "$name" delete clusterrolebinding shipyard-deployer-edit --ignore-not-found >/dev/null
  rbac_sha >"${dir}/rbac.sha"
  issue_token "$name" "$READER_SA" "$(reader_token_of "$name")"
  issue_token "$name" "$DEPLOYER_SA" "$(deployer_token_of "$name")"
  ca="$(kc "$name" -n "$READER_NS" get secret "${READER_SA}-token" -o jsonpath='{.data.ca\.crt}')"
  printf '%s' "$ca" >"${dir}/ca.b64"
  base64 -d <<<"$ca" >"$(ca_file_of "$name")"
  write_env_json "$name"
}

write_env_json() {
  local name="$1"
  cat >"$(cdir "$name")/env.json" <<EOF
{"name":$(quote "$name"),"server":$(quote "$(server_of "$name")"),"kubeconfig":$(quote "$(kubeconfig_of "$name")"),"caFile":$(quote "$(ca_file_of "$name")"),"caData":$(quote "$(cat "$(cdir "$name")/ca.b64")"),"tokenFile":$(quote "$(reader_token_of "$name")"),"deployerTokenFile":$(quote "$(deployer_token_of "$name")"),"environment":$(quote "$(cluster_environment "$name")")}
EOF
}

# Gives the nodes of a running cluster the resources write_nodes gives new ones
# (a cluster started before NODE_RESOURCES changed; status is a subresource,
# which `apply` does not update).
update_node_resources() {
  local name="$1" node
  for node in $(kc "$name" get nodes -l type=kwok -o name); do
    kc "$name" patch "$node" --subresource=status --type=merge \
      -p "{\"status\": {\"allocatable\": ${NODE_RESOURCES}, \"capacity\": ${NODE_RESOURCES}}}" >/dev/null
  done
}

wait_nodes_ready() {
  local name="$1" i ready
  for ((i = 0; i < WAIT_TIMEOUT * 2; i++)); do
    ready="$(kc "$name" get nodes --no-headers 2>/dev/null | awk '$2 == "Ready"' | wc -l)"
    [[ "$ready" -ge "$NODE_COUNT" ]] && return 0
    sleep 0.5
  done
  die "[$name] nodes did not become Ready within ${WAIT_TIMEOUT}s"
}

up_one() {
  local name="$1" port dir start
  valid_name "$name"
  port="$(cluster_port "$name")"
  dir="$(cdir "$name")"
  start=$(date +%s.%N)
  # A cluster started on another port (the port rule or SHIPYARD_CLUSTER_<NAME>_PORT
  # changed since) would be reused while everything else points at the new one.
  local running_at
  running_at="$(kc "$name" config view --minify -o jsonpath='{.clusters[0].cluster.server}' 2>/dev/null || true)"
  if [[ -n "$running_at" && "$running_at" != "$(server_of "$name")" ]]; then
    log "[$name] was started at ${running_at}, but its address is now $(server_of "$name"): restarting it there"
    down_one "$name" quiet
  fi
  if is_up "$name"; then
    log "[$name] already running at $(server_of "$name") - reusing it"
    if [[ "$(cat "${dir}/config.sha" 2>/dev/null)" != "$(config_sha)" ]]; then
      update_node_resources "$name"
      log "[$name] WARNING: scripts/cluster.d or the pinned versions changed since this cluster started (node resources updated); run 'scripts/cluster down $name && scripts/cluster up $name' to apply the rest"
    fi
    if [[ ! -s "$(reader_token_of "$name")" || ! -s "$(deployer_token_of "$name")" || ! -s "${dir}/env.json" ||
      "$(cat "${dir}/rbac.sha" 2>/dev/null)" != "$(rbac_sha)" ]]; then
      log "[$name] applying the reader and deployer identities (scripts/cluster.d/*-rbac.yaml) ..."
      setup_reader "$name"
    fi
    return 0
  fi
  if [[ -d "$(kwok_workdir "$name")" ]]; then
    log "[$name] found stale state in ${dir}; cleaning it up first"
    down_one "$name" quiet
  fi
  if port_in_use "$port"; then
    die "[$name] port ${port} is already in use by another process; set SHIPYARD_CLUSTER_$(name_var "$name")_PORT"
  fi
  mkdir -p "$dir"
  log "[$name] starting control plane on $(server_of "$name") (kubernetes ${KUBE_VERSION}, etcd ${ETCD_VERSION}, kwok ${KWOK_VERSION}) ..."
  local out="${dir}/kwokctl-create.log"
  # Extra kube-apiserver flags of this cluster only (tests that need another
  # authenticator, e.g. --authentication-config), space-separated flag=value.
  local args_var kv extra_apiserver=()
  args_var="SHIPYARD_CLUSTER_$(name_var "$name")_APISERVER_ARGS"
  for kv in ${!args_var:-}; do extra_apiserver+=(--extra-args "kube-apiserver=${kv}"); done
  # Options that have no usable env/flag form (list values) go into a KwokctlConfiguration.
  cat >"${dir}/kwokctl-options.yaml" <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  # every component listens on loopback only
  bindAddress: 127.0.0.1
  metricsServerManifests:
  - ${CLUSTER_D}/metrics-server
EOF
  # kwokctl chooses free ports for the internal components (etcd, kwok, scheduler...)
  # when it creates a cluster: two clusters created at the same moment (parallel test
  # workers starting dev and another) choose the same ones and end up sharing an etcd.
  # Creations therefore take turns; --wait returns once the ports are bound. The
  # lock descriptors are closed for kwokctl so the daemons it starts never hold them.
  if ! (flock -w 600 8 && kwokctl_env "$name" create cluster \
      --runtime binary \
      --kube-apiserver-port "$port" \
      --kube-authorization=true \
      --kube-admission=true \
      --enable metrics-server \
      --kubeconfig "" \
      --config "${dir}/kwokctl-options.yaml" \
      --config "${CLUSTER_D}/kwok-stages.yaml" \
      --extra-args "kube-apiserver=event-ttl=24h" \
      --extra-args "kube-controller-manager=horizontal-pod-autoscaler-sync-period=10s" \
      "${extra_apiserver[@]}" \
      --wait "${WAIT_TIMEOUT}s" >"$out" 2>&1 8>&- 9>&-) 8>"${STATE_DIR}/.create.lock"; then
    tail -n 20 "$out" >&2
    local component
    for component in kube-apiserver etcd; do
      [[ -f "$(kwok_cluster_dir "$name")/logs/${component}.log" ]] || continue
      echo "--- last lines of ${component}.log:" >&2
      tail -n 15 "$(kwok_cluster_dir "$name")/logs/${component}.log" >&2
    done
    die "[$name] kwokctl create cluster failed (log: ${out}; component logs: $(kwok_cluster_dir "$name")/logs/)"
  fi
  # Admin kubeconfig (client certificate, cluster-admin) under our own context name.
  "$BIN_KUBECTL" --kubeconfig "$(kwok_cluster_dir "$name")/kubeconfig.yaml" config view --raw --flatten >"${dir}/kubeconfig.tmp"
  local ctx
  ctx="$("$BIN_KUBECTL" --kubeconfig "${dir}/kubeconfig.tmp" config current-context)"
  "$BIN_KUBECTL" --kubeconfig "${dir}/kubeconfig.tmp" config rename-context "$ctx" "shipyard-${name}" >/dev/null
  "$BIN_KUBECTL" --kubeconfig "${dir}/kubeconfig.tmp" config set-cluster "$("$BIN_KUBECTL" --kubeconfig "${dir}/kubeconfig.tmp" config view -o jsonpath='{.contexts[0].context.cluster}')" --server "$(server_of "$name")" >/dev/null
  chmod 600 "${dir}/kubeconfig.tmp"
  mv "${dir}/kubeconfig.tmp" "$(kubeconfig_of "$name")"
  log "[$name] control plane ready; creating ${NODE_COUNT} simulated nodes ..."
  write_nodes "$name"
  wait_nodes_ready "$name"
  setup_reader "$name"
  local secs
  secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
  echo "$secs" >"${dir}/up-seconds"
  config_sha >"${dir}/config.sha"
  log "[$name] up in ${secs}s: $(server_of "$name"), kubeconfig $(kubeconfig_of "$name")"
}

cmd_up() {
  local names=("$@")
  [[ ${#names[@]} -gt 0 ]] || names=("${DEFAULT_CLUSTERS[@]}")
  ensure_tools "${CONTROL_PLANE_TOOLS[@]}"
  local n
  for n in "${names[@]}"; do with_lock "$n" up_one "$n"; done
}

# ------------------------------------------------------------------ down
down_one() {
  local name="$1" quiet="${2:-}" dir pids port i
  valid_name "$name"
  dir="$(cdir "$name")"
  port="$(cluster_port "$name")"
  if [[ -d "$(kwok_workdir "$name")" ]]; then
    [[ -n "$quiet" ]] || log "[$name] stopping cluster ..."
    if [[ -n "${BIN_KWOKCTL:-}" ]]; then
      kwokctl_env "$name" delete cluster >"${STATE_DIR}/.${name}-delete.log" 2>&1 || log "[$name] kwokctl delete reported an error (continuing)"
    fi
  fi
  # Anything still running from this cluster's state dir is ours: stop it by PID.
  pids="$(cluster_pids "$name")"
  if [[ -n "$pids" ]]; then
    log "[$name] stopping leftover processes: $(tr '\n' ' ' <<<"$pids")"
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
      pids="$(cluster_pids "$name")"; [[ -z "$pids" ]] && break; sleep 0.5
    done
    # shellcheck disable=SC2086
    [[ -z "$pids" ]] || kill -9 $pids 2>/dev/null || true
  fi
  rm -rf "$dir" "${STATE_DIR}/.${name}-delete.log"
  for ((i = 0; i < 20; i++)); do port_in_use "$port" || break; sleep 0.5; done
  if port_in_use "$port"; then log "[$name] WARNING: port ${port} is still in use"; fi
  [[ -n "$quiet" ]] || log "[$name] down (no processes left, port ${port} free)"
}

cmd_down() {
  local names=("$@")
  if [[ ${#names[@]} -eq 0 ]]; then
    local d
    for d in "${STATE_DIR}"/*/; do [[ -d "$d" ]] && names+=("$(basename "$d")"); done
    [[ ${#names[@]} -gt 0 ]] || { log "no clusters to stop"; return 0; }
  fi
  resolve_tools_nobuild "${CONTROL_PLANE_TOOLS[@]}"
  local n
  for n in "${names[@]}"; do with_lock "$n" down_one "$n"; done
}
