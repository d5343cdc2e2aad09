# shellcheck shell=bash
# Sourced by demo.sh and release-check.sh: starts the fake Cliq server and points the provider at
# it. The sourcing script defines die.

# start_fake BINARY READY_FILE LOG_FILE TIMEOUT_SECONDS starts BINARY on a free loopback port,
# waits for its ready file, and exports CLIQ_API_URL and CLIQ_ACCESS_TOKEN from it, and nothing
# else of the caller's Cliq settings. It sets fake_pid.
start_fake() {
  local bin="$1" ready_file="$2" fake_log="$3" timeout="$4" line deadline
  rm -f "$ready_file"
  "$bin" --listen 127.0.0.1:0 --ready-file "$ready_file" >"$fake_log" 2>&1 &
  fake_pid=$!
  deadline=$((SECONDS + timeout))
  until [[ -s "$ready_file" ]] && grep -q '^CLIQ_ACCESS_TOKEN=' "$ready_file"; do
    if ! kill -0 "$fake_pid" 2>/dev/null; then
      cat "$fake_log" >&2 || true
      die "start fake: the fake server exited before it was ready (log above)"
    fi
    if ((SECONDS >= deadline)); then
      cat "$fake_log" >&2 || true
      die "start fake: no ready file at $ready_file after ${timeout}s"
    fi
    sleep 0.2
  done
  # Only the fake's endpoint and token, whatever the caller's environment holds.
  unset CLIQ_DATA_CENTER CLIQ_ACCOUNTS_URL CLIQ_CLIENT_ID CLIQ_CLIENT_SECRET CLIQ_REFRESH_TOKEN
  CLIQ_API_URL=""
  CLIQ_ACCESS_TOKEN=""
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%$'\r'}"
    case "$line" in
      CLIQ_API_URL=*) CLIQ_API_URL="${line#*=}" ;;
      CLIQ_ACCESS_TOKEN=*) CLIQ_ACCESS_TOKEN="${line#*=}" ;;
    esac
  done <"$ready_file"
  [[ -n "$CLIQ_API_URL" && -n "$CLIQ_ACCESS_TOKEN" ]] || die "start fake: $ready_file lacks CLIQ_API_URL or CLIQ_ACCESS_TOKEN"
  export CLIQ_API_URL CLIQ_ACCESS_TOKEN
  echo "Fake Cliq (pid $fake_pid) listening at $CLIQ_API_URL"
}
