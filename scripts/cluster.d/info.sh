# shellcheck shell=bash
# `scripts/cluster status`, `env` and `config`: what runs, and how to connect to it.
# Sourced by scripts/cluster (uses its per-cluster facts: cdir, server_of, quote, ...).

# ------------------------------------------------------------------ status
cmd_status() {
  local names=("$@") n
  if [[ ${#names[@]} -eq 0 ]]; then
    names=("${DEFAULT_CLUSTERS[@]}")
    local d
    for d in "${STATE_DIR}"/*/; do
      [[ -d "$d" ]] || continue
      n="$(basename "$d")"
      [[ " ${names[*]} " == *" $n "* ]] || names+=("$n")
    done
  fi
  resolve_tools_nobuild kubectl
  [[ -n "$BIN_KUBECTL" ]] || BIN_KUBECTL="$(command -v kubectl || echo false)"
  for n in "${names[@]}"; do
    local pids
    pids="$(cluster_pids "$n")"
    if is_up "$n"; then
      local nodes pods notready
      nodes="$(kc "$n" get nodes --no-headers 2>/dev/null | wc -l)"
      pods="$(kc "$n" get pods -A --no-headers 2>/dev/null | wc -l)"
      notready="$(kc "$n" get pods -A --no-headers 2>/dev/null | awk '{split($3,a,"/"); if (a[1]!=a[2]) c++} END{print c+0}')"
      printf '%-8s running  %s  env=%s nodes=%s pods=%s (not ready: %s) processes=%s rss=%sMiB\n' \
        "$n" "$(server_of "$n")" "$(cluster_environment "$n")" "$nodes" "$pods" "$notready" \
        "$(wc -w <<<"$pids")" "$(rss_mib "$pids")"
    elif [[ -n "$pids" ]]; then
      printf '%-8s degraded %s  (processes=%s but the apiserver does not answer)\n' "$n" "$(server_of "$n")" "$(wc -w <<<"$pids")"
    else
      printf '%-8s stopped  %s\n' "$n" "$(server_of "$n")"
    fi
  done
}

# ------------------------------------------------------------------ env
cmd_env() {
  local name="${1:-}" json=0
  [[ -n "$name" ]] || die "usage: scripts/cluster env NAME [--json]"
  [[ "${2:-}" == "--json" ]] && json=1
  valid_name "$name"
  local dir; dir="$(cdir "$name")"
  [[ -s "${dir}/env.json" ]] || die "cluster '$name' is not up (run: scripts/cluster up $name)"
  if [[ $json == 1 ]]; then cat "${dir}/env.json"; return; fi
  cat <<EOF
export KUBECONFIG='$(kubeconfig_of "$name")'
export SHIPYARD_CLUSTER_NAME='${name}'
export SHIPYARD_CLUSTER_URL='$(server_of "$name")'
export SHIPYARD_CLUSTER_ENVIRONMENT='$(cluster_environment "$name")'
export SHIPYARD_CLUSTER_CA_FILE='$(ca_file_of "$name")'
export SHIPYARD_CLUSTER_TOKEN_FILE='$(reader_token_of "$name")'
EOF
}

# ------------------------------------------------------------------ config
# The portal's kubernetes config for running clusters (scripts/start passes it to the
# backend). Tokens and CA stay in their files: nothing secret is copied. The reader
# token is a `$file` include, read when the backend loads its config, because
# @backstage/plugin-kubernetes-backend only takes an inline serviceAccountToken; the
# deployer token is a file path that Shipyard re-reads for every connection, so a
# recreated cluster's new token reaches the scaffolder actions without a restart.
cmd_config() {
  local names=("$@") n
  [[ ${#names[@]} -gt 0 ]] || names=("${DEFAULT_CLUSTERS[@]}")
  for n in "${names[@]}"; do
    valid_name "$n"
    [[ -s "$(cdir "$n")/env.json" ]] || die "cluster '$n' is not up (run: scripts/cluster up $n)"
  done
  cat <<EOF
# Written by scripts/cluster config for the local clusters: ${names[*]}.
kubernetes:
  serviceLocatorMethod: { type: multiTenant }
  clusterLocatorMethods:
    - type: config
      clusters:
EOF
  for n in "${names[@]}"; do
    cat <<EOF
        - name: $(quote "$n")
          url: $(quote "$(server_of "$n")")
          environment: $(quote "$(cluster_environment "$n")")
          authProvider: serviceAccount
          serviceAccountToken: { \$file: $(quote "$(reader_token_of "$n")") }
          deployerServiceAccountTokenFile: $(quote "$(deployer_token_of "$n")")
          caFile: $(quote "$(ca_file_of "$n")")
EOF
  done
}
