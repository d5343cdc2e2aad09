#!/usr/bin/env bash
# Releases the committed HEAD as GoReleaser does on a tag, without signing or
# publishing, checks the artifacts as the Terraform Registry would, and installs
# the linux/amd64 zip the way users install a provider: a plain `terraform init`
# from a filesystem mirror (no dev_overrides), then plan, apply, a plan with no
# changes, and destroy of examples/demo against a local fake Cliq server.
#
# Run it with `make release-check`, which installs the pinned goreleaser first.
#
# It works in a temporary clone (whose folder and remote are named after
# neither the project nor its repository, so that no artifact name can come
# from them), tagged v$RELEASE_CHECK_VERSION: a release version, because
# Terraform does not install pre-release versions from a mirror. Only the
# committed HEAD is released; uncommitted changes are not part of it.
#
# Environment:
#   RELEASE_CHECK_TARGETS  <os>_<arch> targets to build, space-separated
#                          (default: every target in .goreleaser.yml); must
#                          include linux_amd64. The release uses .goreleaser.yml
#                          with the other target lines left out, nothing else.
#   RELEASE_CHECK_VERSION  version of the temporary tag (default 0.1.0)
#   RELEASE_CHECK_KEEP=1   keep the temporary folder (dist/, mirror, logs)
#   GORELEASER, TERRAFORM  the binaries to use (default: found on PATH)
#   TOFU                   an OpenTofu binary: when set, the zip is installed
#                          and the demo run with OpenTofu as well
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

project="terraform-provider-cliq"
version="${RELEASE_CHECK_VERSION:-0.1.0}"
goreleaser="${GORELEASER:-goreleaser}"
terraform="${TERRAFORM:-terraform}"
tofu="${TOFU:-}"
ready_timeout=60

tmp_root=""
fake_pid=""
started=$SECONDS

section() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - started))"; }
die() { printf '\nRELEASE CHECK FAILED: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/fake.sh
source "$(dirname "${BASH_SOURCE[0]}")/fake.sh"

cleanup() {
  local rc=$?
  if [[ -n "$fake_pid" ]] && kill -0 "$fake_pid" 2>/dev/null; then
    kill "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
  fi
  if [[ -n "$tmp_root" ]]; then
    if [[ "${RELEASE_CHECK_KEEP:-}" == 1 ]]; then
      echo "Kept $tmp_root"
    else
      rm -rf "$tmp_root"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  die "RELEASE_CHECK_VERSION=$version: give a release version such as 0.1.0 (Terraform does not install pre-releases from a mirror)"
for tool in go git "$goreleaser" "$terraform" ${tofu:+"$tofu"}; do
  command -v "$tool" >/dev/null 2>&1 || die "prerequisites: '$tool' was not found"
done

# The targets .goreleaser.yml lists, one "      - <os>_<arch>" line each under
# "    targets:".
all_targets="$(awk '
  /^    targets:/ { inside = 1; next }
  inside && /^      - [a-z0-9]+_[a-z0-9]+ *$/ { print $2; next }
  inside && !/^ *#/ { inside = 0 }
' .goreleaser.yml)"
[[ -n "$all_targets" ]] || die ".goreleaser.yml: no targets list found under builds[0].targets"
targets="${RELEASE_CHECK_TARGETS:-$all_targets}"
targets="$(tr ' ' '\n' <<<"$targets" | sed '/^$/d' | sort -u)"
for t in $targets; do
  grep -qx "$t" <<<"$all_targets" || die "RELEASE_CHECK_TARGETS: $t is not a target of .goreleaser.yml"
done
grep -qx linux_amd64 <<<"$targets" || die "RELEASE_CHECK_TARGETS must include linux_amd64, the zip installed here"

section "Cloning HEAD into a temporary folder, tagged v$version"
tmp_root="$(mktemp -d "${TMPDIR:-/tmp}/release-check.XXXXXX")"
clone="$tmp_root/src"
git clone --quiet --no-hardlinks "$repo_root" "$clone"
git -C "$clone" tag -l | xargs -r git -C "$clone" tag -d >/dev/null
git -C "$clone" tag "v$version"
echo "Commit $(git -C "$clone" rev-parse --short HEAD) as v$version, in $clone (origin: $(git -C "$clone" remote get-url origin))"
if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
  echo "Note: the working tree has uncommitted changes; they are not part of this release."
fi

config="$clone/.goreleaser.yml"
if [[ "$targets" != "$(sort -u <<<"$all_targets")" ]]; then
  config="$tmp_root/goreleaser.yml"
  awk -v keep=" $(tr '\n' ' ' <<<"$targets")" '
    /^    targets:/ { inside = 1; print; next }
    inside && /^      - [a-z0-9]+_[a-z0-9]+ *$/ { if (index(keep, " " $2 " ")) print; next }
    inside && !/^ *#/ { inside = 0 }
    { print }
  ' "$clone/.goreleaser.yml" >"$config"
  # Nothing but target lines may differ from the committed configuration.
  if diff "$clone/.goreleaser.yml" "$config" | grep '^[<>]' | grep -qv '^<       - [a-z0-9]*_[a-z0-9]* *$'; then
    die "narrowing the targets changed more than the target list"
  fi
  echo "Building $(wc -w <<<"$targets") of the $(wc -w <<<"$all_targets") targets of .goreleaser.yml: $(tr '\n' ' ' <<<"$targets")"
  echo "(\`make release-check\` without RELEASE_CHECK_TARGETS builds them all.)"
else
  echo "Building all $(wc -w <<<"$all_targets") targets of .goreleaser.yml"
fi

section "goreleaser release --skip=sign,publish ($("$goreleaser" --version 2>/dev/null | awk '/^GitVersion:/ { print $2 }'))"
# No token reaches GoReleaser: nothing may be published from here. Plain
# output when not on a terminal (GoReleaser colours its output whenever CI is
# set, whatever NO_COLOR says).
plain() { if [[ -t 1 ]]; then cat; else sed 's/\x1b\[[0-9;]*m//g'; fi; }
(cd "$clone" && env -u GITHUB_TOKEN -u GITLAB_TOKEN -u GITEA_TOKEN \
  "$goreleaser" release --clean --skip=sign,publish --config "$config" 2>&1 | plain) ||
  die "goreleaser release failed"

section "Checking the artifacts as the registry requires"
(cd "$clone" && go run ./scripts/verifyrelease -dist dist -version "$version" \
  -targets "$(tr '\n' ' ' <<<"$targets")" -manifest terraform-registry-manifest.json) ||
  die "the release artifacts do not meet the registry's requirements (above)"
zip_name="${project}_${version}_linux_amd64.zip"
zip_path="$clone/dist/$zip_name"
zip_h1="$(cd "$clone" && go run ./scripts/verifyrelease -h1 "$zip_path")"
echo "$zip_name: $zip_h1"

section "Starting the fake Cliq server"
mkdir -p "$tmp_root/bin"
(cd "$clone" && go build -trimpath -o "$tmp_root/bin/fakecliq" ./internal/fakecliq/cmd/fakecliq) ||
  die "build: go build of the fake server failed"
ready_file="$tmp_root/fake.env"
fake_log="$tmp_root/fake.log"
start_fake "$tmp_root/bin/fakecliq" "$ready_file" "$fake_log" "$ready_timeout"
export CLIQ_RATE_STATE_DIR="$tmp_root/rate-state"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_destroy \
  TF_DATA_DIR TF_WORKSPACE TF_PLUGIN_CACHE_DIR TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE

# install_and_run NAME CLI HOST: installs the linux/amd64 zip into a filesystem
# mirror under HOST (the registry the CLI resolves cliq-tf/cliq to), and runs
# init, plan, apply, plan (no changes) and destroy of examples/demo. Output of
# apply and destroy goes to files in the temporary folder, and is shown on
# failure.
install_and_run() {
  local name="$1" cli="$2" host="$3"
  local dir="$tmp_root/$name"
  local mirror="$dir/mirror" work="$dir/work"
  mkdir -p "$mirror/$host/cliq-tf/cliq" "$work"
  cp "$zip_path" "$mirror/$host/cliq-tf/cliq/"
  cat >"$dir/cli.tfrc" <<HCL
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["$host/cliq-tf/cliq"]
  }
}
HCL
  cp -R "$clone/examples/demo/." "$work/"

  section "$name init from a filesystem mirror (no dev_overrides)"
  (
    cd "$work"
    export TF_CLI_CONFIG_FILE="$dir/cli.tfrc"
    "$cli" init -input=false -no-color || die "$name init did not install $zip_name from the mirror"

    local lock=.terraform.lock.hcl
    grep -q "^provider \"$host/cliq-tf/cliq\" {" "$lock" || die "$lock has no entry for $host/cliq-tf/cliq"
    grep -q "^  version *= \"$version\"$" "$lock" || die "$lock does not record version $version"
    grep -qF "\"$zip_h1\"" "$lock" || die "$lock does not record the zip's hash $zip_h1"
    echo "$lock records $host/cliq-tf/cliq $version with hash $zip_h1"
    local installed=".terraform/providers/$host/cliq-tf/cliq/$version/linux_amd64/${project}_v$version"
    [[ -x "$installed" ]] || die "$name did not install the binary at $installed"
    "$cli" version -no-color | tee "$dir/version.txt"
    grep -q "^+ provider $host/cliq-tf/cliq v$version$" "$dir/version.txt" ||
      die "$name version does not report provider $host/cliq-tf/cliq v$version"

    section "$name plan, apply, plan (no changes), destroy of examples/demo"
    local rc=0
    "$cli" plan -input=false -no-color -detailed-exitcode >"$dir/plan1.txt" || rc=$?
    [[ "$rc" == 2 ]] || { cat "$dir/plan1.txt"; die "$name plan: exit code $rc, want 2 (changes to make)"; }
    grep -E '^Plan: ' "$dir/plan1.txt"
    "$cli" apply -input=false -no-color -auto-approve >"$dir/apply.txt" 2>&1 ||
      { cat "$dir/apply.txt"; die "$name apply failed"; }
    grep -E '^Apply complete!' "$dir/apply.txt"
    rc=0
    "$cli" plan -input=false -no-color -detailed-exitcode >"$dir/plan2.txt" || rc=$?
    case "$rc" in
      0) echo "Plan after apply: no changes." ;;
      2) cat "$dir/plan2.txt"; die "$name plan after apply shows changes" ;;
      *) cat "$dir/plan2.txt"; die "$name plan after apply failed (exit code $rc)" ;;
    esac
    "$cli" destroy -input=false -no-color -auto-approve >"$dir/destroy.txt" 2>&1 ||
      { cat "$dir/destroy.txt"; die "$name destroy failed"; }
    grep -E '^Destroy complete!' "$dir/destroy.txt"
    [[ -z "$("$cli" state list)" ]] || die "$name state still holds resources after destroy"
  )
}

install_and_run terraform "$terraform" registry.terraform.io
if [[ -n "$tofu" ]]; then
  install_and_run tofu "$tofu" registry.opentofu.org
fi

section "Release check passed: v$version ($(wc -w <<<"$targets") targets) builds, meets the registry's requirements, and installs and works with Terraform${tofu:+ and OpenTofu}"
