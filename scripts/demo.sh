#!/usr/bin/env bash
# Applies examples/demo against a local fake Cliq server, checks that a
# second plan shows no changes, then destroys everything.
#
# Writes only to .demo/ (git-ignored) and to temporary directories, which it
# removes on exit. Needs Go and Terraform on PATH.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

demo_dir="$repo_root/.demo"
bin_dir="$demo_dir/bin"
ready_file="$demo_dir/fake.env"
fake_log="$demo_dir/fake.log"
ready_timeout=60

fake_pid=""
tmp_root=""

section() { printf '\n==> %s\n' "$*"; }
die() { printf '\nDEMO FAILED: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/fake.sh
source "$(dirname "${BASH_SOURCE[0]}")/fake.sh"

cleanup() {
  local rc=$?
  if [[ -n "$fake_pid" ]] && kill -0 "$fake_pid" 2>/dev/null; then
    kill "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
  fi
  if [[ -n "$tmp_root" ]]; then
    rm -rf "$tmp_root"
  fi
  rm -f "$ready_file"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v go >/dev/null 2>&1 || die "prerequisites: 'go' is not on PATH"
command -v terraform >/dev/null 2>&1 || die "prerequisites: 'terraform' is not on PATH (install Terraform >= 1.5)"

section "Building the provider and the fake Cliq server into .demo/bin"
mkdir -p "$bin_dir"
go build -trimpath -o "$bin_dir/terraform-provider-cliq" . || die "build: go build of the provider failed"
go build -trimpath -o "$bin_dir/fakecliq" ./internal/fakecliq/cmd/fakecliq || die "build: go build of the fake server failed"

section "Starting the fake Cliq server"
start_fake "$bin_dir/fakecliq" "$ready_file" "$fake_log" "$ready_timeout"

section "Preparing a Terraform working directory"
tmp_root="$(mktemp -d "${TMPDIR:-/tmp}/cliq-demo.XXXXXX")"
work_dir="$tmp_root/work"
mkdir -p "$work_dir"
cp -R examples/demo/. "$work_dir/"

cat >"$tmp_root/terraformrc" <<HCL
provider_installation {
  dev_overrides {
    "cliq-tf/cliq" = "$bin_dir"
  }
  direct {}
}
HCL
export TF_CLI_CONFIG_FILE="$tmp_root/terraformrc"
# The provider shares its rate budget between runs through a file under the
# user's cache directory by default; keep the demo's in the temp dir.
export CLIQ_RATE_STATE_DIR="$tmp_root/rate-state"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
unset TF_CLI_ARGS TF_CLI_ARGS_apply TF_CLI_ARGS_plan TF_CLI_ARGS_destroy TF_DATA_DIR TF_WORKSPACE
cd "$work_dir"

# Plain output when not on a terminal (CI logs, `make demo > log`).
color=()
[[ -t 1 ]] || color=(-no-color)

# dev_overrides need no `terraform init` when the configuration uses no
# other provider.
section "terraform apply"
terraform apply -auto-approve -input=false "${color[@]}" || die "terraform apply failed"

section "terraform output"
terraform output "${color[@]}" || die "terraform output failed"

section "terraform plan (must show no changes)"
plan_rc=0
terraform plan -detailed-exitcode -input=false "${color[@]}" || plan_rc=$?
case "$plan_rc" in
  0) echo "Second plan: No changes." ;;
  2) die "second terraform plan: changes pending right after apply (the provider is not idempotent)" ;;
  *) die "second terraform plan failed (exit code $plan_rc)" ;;
esac

section "terraform destroy"
terraform destroy -auto-approve -input=false "${color[@]}" || die "terraform destroy failed"

section "Demo finished: apply, no-change plan and destroy all succeeded"
