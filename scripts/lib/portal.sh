# shellcheck shell=bash
# The local portal's readiness, shared by scripts/start (which says when the
# portal is ready) and scripts/bench/first-start (which times it).

# A guest's portal token, or nothing while the backend does not answer. Any
# node parses it (the machine's own before ensure_toolchain).
guest_token() {
  curl -fs http://localhost:7007/api/auth/guest/refresh 2>/dev/null | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).backstageIdentity.token)}catch{}})'
}

# Both halves answer and the catalog has the example services.
portal_ready() {
  curl -fs -o /dev/null http://localhost:3000 &&
    curl -fs -o /dev/null -H "Authorization: Bearer $(guest_token)" \
      http://localhost:7007/api/catalog/entities/by-name/component/default/payments-api
}
