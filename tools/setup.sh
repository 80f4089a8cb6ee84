#!/usr/bin/env bash
# tools/setup.sh — prepare a Debian 12 machine (developer box, CI runner) for
# building and testing the nx-multiarch plugin:
#
#   * container tooling from Debian (podman, buildah, skopeo, registry, QEMU)
#   * QEMU user emulation registered in binfmt_misc (arm64 on amd64 hosts,
#     amd64 on arm64 hosts)
#   * a plain-HTTP registry on 127.0.0.1:5000 (distribution, Debian's
#     docker-registry), marked insecure in /etc/containers/registries.conf.d
#   * offline multi-arch fixture base images in that registry:
#       127.0.0.1:5000/fixtures/busybox:latest   (linux/amd64 + linux/arm64)
#       127.0.0.1:5000/fixtures/golang:1.19      (linux/amd64 + linux/arm64)
#   * sandbox-only podman settings in $CACHE/sandbox.env (empty on normal hosts)
#   * npm dependencies of the workspace, and the plugin built (npm run build)
#
# Run as root. Idempotent: a second run only checks and prints "already ...".
#
# Environment:
#   NX_MULTIARCH_CACHE              cache dir (default: $HOME/.cache/nx-multiarch)
#   NX_MULTIARCH_REBUILD_FIXTURES=1 rebuild and re-push the fixture images
#   NX_MULTIARCH_SKIP_NPM=1         skip the npm install step
set -euo pipefail

cd "$(dirname "$0")/.."
REPO="$(pwd)"
CACHE="${NX_MULTIARCH_CACHE:-$HOME/.cache/nx-multiarch}"
REGISTRY="127.0.0.1:5000"
FIXTURE_BUSYBOX="$REGISTRY/fixtures/busybox:latest"
FIXTURE_GOLANG="$REGISTRY/fixtures/golang:1.19"
ARCHES=(amd64 arm64)
PLATFORMS="linux/amd64,linux/arm64"
REGISTRIES_CONF="/etc/containers/registries.conf.d/50-nx-multiarch-local.conf"
# containerd (with ctr): the KIND test imports the plugin's archive the way kind does inside a node.
PACKAGES=(podman buildah skopeo docker-registry qemu-user-static binfmt-support
  uidmap fuse-overlayfs runc curl git ca-certificates containerd)

START_TIME=$(date +%s)

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

# write_file PATH MODE < content — writes only when the content differs.
write_file() {
  local path=$1 mode=$2 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path"; then
    rm -f "$tmp"
    info "already up to date: $path"
  else
    mkdir -p "$(dirname "$path")"
    chmod "$mode" "$tmp"
    mv "$tmp" "$path"
    info "wrote $path"
  fi
}

[ "$(id -u)" -eq 0 ] || die "tools/setup.sh must run as root (it installs packages and registers binfmt handlers)"
command -v dpkg >/dev/null || die "this script supports Debian 12 (dpkg/apt) only"

HOST_ARCH=$(dpkg --print-architecture)
case "$HOST_ARCH" in
  amd64) FOREIGN_ARCH=arm64 QEMU_HANDLER=qemu-aarch64 ;;
  arm64) FOREIGN_ARCH=amd64 QEMU_HANDLER=qemu-x86_64 ;;
  *) die "unsupported host architecture: $HOST_ARCH (need amd64 or arm64)" ;;
esac

mkdir -p "$CACHE"
# Serialise concurrent runs (e.g. two test suites starting at once).
exec 9>"$CACHE/.setup.lock"
flock 9

# ---------------------------------------------------------------------------
step "Debian packages: ${PACKAGES[*]}"
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  info "already installed"
else
  info "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------------------
step "binfmt_misc + QEMU ($QEMU_HANDLER)"
BINFMT=/proc/sys/fs/binfmt_misc
if mountpoint -q "$BINFMT"; then
  info "already mounted: $BINFMT"
else
  mount -t binfmt_misc binfmt_misc "$BINFMT" || die "cannot mount binfmt_misc at $BINFMT"
  info "mounted $BINFMT"
fi
if [ -f "$BINFMT/$QEMU_HANDLER" ] && [ "$(head -n1 "$BINFMT/$QEMU_HANDLER")" = enabled ]; then
  info "already enabled: $QEMU_HANDLER"
else
  update-binfmts --enable "$QEMU_HANDLER" || true
  info "enabled $QEMU_HANDLER"
fi
if [ ! -f "$BINFMT/$QEMU_HANDLER" ] || [ "$(head -n1 "$BINFMT/$QEMU_HANDLER")" != enabled ]; then
  die "$BINFMT/$QEMU_HANDLER is not enabled; is qemu-user-static installed and binfmt_misc available?"
fi
qemu_flags=$(sed -n 's/^flags: //p' "$BINFMT/$QEMU_HANDLER")
case "$qemu_flags" in
  *F*) info "$QEMU_HANDLER: enabled, flags $qemu_flags" ;;
  *) die "$QEMU_HANDLER is registered without the F (fix-binary) flag ($qemu_flags); containers cannot use it" ;;
esac

# ---------------------------------------------------------------------------
step "Local registry marked insecure (plain HTTP): $REGISTRIES_CONF"
write_file "$REGISTRIES_CONF" 644 <<'EOF'
# Written by nx-multiarch tools/setup.sh: the local test registry speaks plain HTTP.
[[registry]]
location = "127.0.0.1:5000"
insecure = true

[[registry]]
location = "localhost:5000"
insecure = true
EOF

# ---------------------------------------------------------------------------
CGROUP_FS=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo unknown)
if [ "$CGROUP_FS" != cgroup2fs ]; then
  step "Sandbox settings (cgroups: $CGROUP_FS, not pure v2): $CACHE/sandbox.env"
  write_file "$CACHE/containers.conf" 644 <<'EOF'
# Written by nx-multiarch tools/setup.sh for hosts without pure cgroup v2
# (crun refuses hybrid cgroups; containers need explicit rlimits there).
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
EOF
  write_file "$CACHE/sandbox.env" 644 <<EOF
export CONTAINERS_CONF=$CACHE/containers.conf
export BUILDAH_ISOLATION=chroot
EOF
else
  step "Sandbox settings (cgroups v2: none needed): $CACHE/sandbox.env"
  rm -f "$CACHE/containers.conf"
  write_file "$CACHE/sandbox.env" 644 </dev/null
fi
# shellcheck source=/dev/null
. "$CACHE/sandbox.env"

# ---------------------------------------------------------------------------
step "Registry on http://$REGISTRY"
registry_up() { curl -fsS -o /dev/null --max-time 2 "http://$REGISTRY/v2/" 2>/dev/null; }
if registry_up; then
  if [ -f "$CACHE/registry.pid" ] && kill -0 "$(cat "$CACHE/registry.pid")" 2>/dev/null; then
    info "already running (pid $(cat "$CACHE/registry.pid"), storage $CACHE/registry)"
  elif systemctl is-active --quiet docker-registry 2>/dev/null; then
    info "already answering: Debian's docker-registry.service (config /etc/docker/registry/config.yml)"
  else
    info "already answering (not started by this script)"
  fi
else
  mkdir -p "$CACHE/registry"
  write_file "$CACHE/registry.yml" 644 <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $CACHE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
  # Detached daemon: new session, and no inherited descriptors (in particular
  # not the setup lock on fd 9, nor a caller's pipes that would never close).
  (
    for fd in "/proc/$BASHPID/fd"/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    exec setsid nohup docker-registry serve "$CACHE/registry.yml" \
      >>"$CACHE/registry.log" 2>&1 </dev/null
  ) &
  echo $! >"$CACHE/registry.pid"
  for _ in $(seq 1 80); do
    registry_up && break
    kill -0 "$(cat "$CACHE/registry.pid")" 2>/dev/null || break
    sleep 0.25
  done
  if ! registry_up; then
    tail -n 20 "$CACHE/registry.log" >&2 || true
    die "registry did not answer on http://$REGISTRY/v2/ within 20 s (log: $CACHE/registry.log)"
  fi
  info "started (pid $(cat "$CACHE/registry.pid"), log $CACHE/registry.log)"
fi

# ---------------------------------------------------------------------------
# has_all_platforms REF — true when REF is a manifest list/index in the
# registry with linux/amd64 and linux/arm64 entries.
has_all_platforms() {
  local raw a
  raw=$(skopeo inspect --raw --tls-verify=false "docker://$1" 2>/dev/null | tr -d ' \n\t') || return 1
  for a in "${ARCHES[@]}"; do
    printf '%s' "$raw" | grep -q "\"architecture\":\"$a\",\"os\":\"linux\"" || return 1
  done
}

platforms_of() {
  skopeo inspect --raw --tls-verify=false "docker://$1" | tr -d ' \n\t' |
    grep -o '"architecture":"[a-z0-9]*","os":"[a-z]*"' |
    sed 's/"architecture":"\([^"]*\)","os":"\([^"]*\)"/\2\/\1/' | sort | paste -sd' '
}

DEBS="$CACHE/debs"
WORK="$CACHE/fixtures"

ensure_apt_arches() {
  local a need_update=0
  for a in "${ARCHES[@]}"; do
    [ "$a" = "$HOST_ARCH" ] && continue
    if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
      info "dpkg --add-architecture $a"
      dpkg --add-architecture "$a"
      need_update=1
    fi
  done
  apt-cache show "busybox-static:$FOREIGN_ARCH" >/dev/null 2>&1 || need_update=1
  if [ "$need_update" = 1 ]; then
    info "apt-get update"
    apt-get update -qq
  fi
}

# fetch_debs PKG:ARCH... — download into $DEBS unless already there.
fetch_debs() {
  local spec pkg arch want=()
  mkdir -p "$DEBS"
  for spec in "$@"; do
    pkg=${spec%%:*} arch=${spec#*:}
    compgen -G "$DEBS/${pkg}_*_${arch}.deb" >/dev/null || want+=("$spec")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  ensure_apt_arches
  info "apt-get download ${want[*]}"
  (cd "$DEBS" && apt-get download -qq -o APT::Sandbox::User=root "${want[@]/%:all/}")
}

deb_of() { compgen -G "$DEBS/${1}_*_${2}.deb" | sort | tail -n1; }

# is_dynamic FILE — ELF with a PT_INTERP (needs a dynamic loader)
is_dynamic() { head -c 4096 "$1" | grep -aq -e '/lib64/ld-linux' -e '/lib/ld-linux'; }

# make_busybox_rootfs ARCH DEST
make_busybox_rootfs() {
  local arch=$1 dest=$2 x="$WORK/x/busybox-$1" applet
  rm -rf "$x" "$dest"
  mkdir -p "$x" "$dest"
  dpkg -x "$(deb_of busybox-static "$arch")" "$x"
  mkdir -p "$dest"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/tmp}
  install -m 0755 "$x/bin/busybox" "$dest/bin/busybox"
  # `busybox --install -s` cannot run for a foreign arch: use the applet list
  # of the host's (same version) busybox instead.
  while read -r applet; do
    case "$applet" in */*) ;; *) continue ;; esac
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$dest/$(dirname "$applet")"
    ln -sfn /bin/busybox "$dest/$applet"
  done < <("$HOST_BUSYBOX" --list-full)
  chmod 1777 "$dest/tmp" "$dest/var/tmp"
  chmod 0700 "$dest/root"
  cat >"$dest/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat >"$dest/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
}

# Fixture images are built in a private, throw-away containers storage
# ($WORK/storage) so that the machine's podman storage is left untouched:
# nothing to clean up there, and no interference with other builds.
fpodman() {
  podman --root "$WORK/storage" --runroot "$WORK/runroot" --storage-driver overlay "$@"
}

# build_and_push CONTAINERFILE CONTEXT REF
build_and_push() {
  local file=$1 ctx=$2 ref=$3 list="localhost/nx-multiarch-setup/${3##*/}" log="$WORK/build-${3##*/}.log"
  local a
  info "podman build --platform linux/{${PLATFORMS//linux\//}} --manifest $list -f tools/fixtures/$(basename "$file")"
  # One platform at a time, in a fixed order: a multi-platform build adds the
  # images to the list in completion order, which would make the index digest
  # vary between runs. With --timestamp 0 every digest is reproducible.
  : >"$log"
  for a in "${ARCHES[@]}"; do
    fpodman build --platform "linux/$a" --manifest "$list" --timestamp 0 --layers=false \
      -f "$file" "$ctx" >>"$log" 2>&1 || {
      tail -n 30 "$log" >&2
      die "building $ref for linux/$a failed (log: $log)"
    }
  done
  info "podman manifest push --all $list docker://$ref"
  fpodman manifest push --all --tls-verify=false --quiet "$list" "docker://$ref" >/dev/null
  fpodman manifest rm "$list" >/dev/null
}

# Remove the private storage (unmounting anything left mounted below it).
drop_fixture_storage() {
  [ -d "$WORK/storage" ] || return 0
  fpodman rmi --all --force >/dev/null 2>&1 || true
  { grep -o " $WORK/[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount "$m" 2>/dev/null || true; done
  rm -rf "$WORK/storage" "$WORK/runroot"
}

step "Fixture images in $REGISTRY"
if [ "${NX_MULTIARCH_REBUILD_FIXTURES:-0}" != 1 ] &&
  has_all_platforms "$FIXTURE_BUSYBOX" && has_all_platforms "$FIXTURE_GOLANG"; then
  info "already present: $FIXTURE_BUSYBOX ($(platforms_of "$FIXTURE_BUSYBOX"))"
  info "already present: $FIXTURE_GOLANG ($(platforms_of "$FIXTURE_GOLANG"))"
else
  fetch_debs busybox-static:amd64 busybox-static:arm64 \
    golang-1.19-go:amd64 golang-1.19-go:arm64 golang-1.19-src:all \
    libc6:amd64 libc6:arm64
  drop_fixture_storage
  rm -rf "$WORK"
  mkdir -p "$WORK/x" "$WORK/busybox" "$WORK/golang"
  dpkg -x "$(deb_of busybox-static "$HOST_ARCH")" "$WORK/x/host-busybox"
  HOST_BUSYBOX="$WORK/x/host-busybox/bin/busybox"

  # -- busybox -------------------------------------------------------------
  for a in "${ARCHES[@]}"; do
    make_busybox_rootfs "$a" "$WORK/busybox/rootfs-$a"
  done
  build_and_push "$REPO/tools/fixtures/busybox.Containerfile" "$WORK/busybox" "$FIXTURE_BUSYBOX"

  # -- golang --------------------------------------------------------------
  info "assembling Go 1.19 toolchains"
  dpkg -x "$(deb_of golang-1.19-src all)" "$WORK/golang/gosrc"
  rm -rf "$WORK/golang/gosrc/usr/share/go-1.19/test" "$WORK/golang/gosrc/usr/share/doc" \
    "$WORK/golang/gosrc/usr/share/lintian"
  for a in "${ARCHES[@]}"; do
    cp -a "$WORK/busybox/rootfs-$a" "$WORK/golang/rootfs-$a"
    g="$WORK/golang/go-$a"
    dpkg -x "$(deb_of golang-1.19-go "$a")" "$g"
    # Precompiled cmd/ packages are only needed to rebuild the toolchain itself.
    rm -rf "$g/usr/lib/go-1.19/pkg/linux_$a/cmd" "$g/usr/share/doc" "$g/usr/share/lintian" "$g/usr/share/man"
    if is_dynamic "$g/usr/lib/go-1.19/bin/go"; then
      dpkg -x "$(deb_of libc6 "$a")" "$g"
      rm -rf "$g/usr/share/doc" "$g/usr/share/lintian" "$g/usr/share/locale" "$g"/usr/lib/*-linux-gnu/gconv
      info "go ($a) is dynamically linked: added libc6:$a"
    fi
  done
  build_and_push "$REPO/tools/fixtures/golang.Containerfile" "$WORK/golang" "$FIXTURE_GOLANG"

  # -- checks ---------------------------------------------------------------
  # A fixture that fails its check is deleted again, so that the next run
  # rebuilds it instead of reporting it as "already present".
  unpublish() {
    skopeo delete --tls-verify=false "docker://$1" >/dev/null 2>&1 || true
    die "$2"
  }
  for ref in "$FIXTURE_BUSYBOX" "$FIXTURE_GOLANG"; do
    has_all_platforms "$ref" || unpublish "$ref" "$ref lacks one of: ${ARCHES[*]}"
  done

  info "checking: $FIXTURE_GOLANG ($HOST_ARCH) cross-compiles net/http for $FOREIGN_ARCH"
  t="$WORK/crosstest"
  rm -rf "$t"
  mkdir -p "$t"
  cp "$REPO/tools/fixtures/crosstest/main.go" "$REPO/tools/fixtures/crosstest/go.mod" "$t/"
  fpodman run --rm --pull=always --tls-verify=false --arch "$HOST_ARCH" -v "$t:/w" -w /w \
    "$FIXTURE_GOLANG" sh -c "GOOS=linux GOARCH=$FOREIGN_ARCH CGO_ENABLED=0 go build -o /w/hello . && go version" \
    >"$WORK/crosstest.log" 2>&1 || {
    cat "$WORK/crosstest.log" >&2
    unpublish "$FIXTURE_GOLANG" "cross-compiling with $FIXTURE_GOLANG failed"
  }
  machine=$(od -An -tu2 -j18 -N2 "$t/hello" | tr -d ' ')
  case "$FOREIGN_ARCH:$machine" in
    arm64:183) info "ok: $(tail -n1 "$WORK/crosstest.log") built an aarch64 ELF" ;;
    amd64:62) info "ok: $(tail -n1 "$WORK/crosstest.log") built an x86-64 ELF" ;;
    *) unpublish "$FIXTURE_GOLANG" "cross-compiled binary has ELF machine $machine, expected $FOREIGN_ARCH" ;;
  esac
  drop_fixture_storage

  # Keep the downloaded .debs ($DEBS) and the logs; the unpacked trees are large.
  rm -rf "$WORK/x" "$WORK/busybox" "$WORK/golang" "$WORK/crosstest"
  info "pushed: $FIXTURE_BUSYBOX ($(platforms_of "$FIXTURE_BUSYBOX"))"
  info "pushed: $FIXTURE_GOLANG ($(platforms_of "$FIXTURE_GOLANG"))"
fi

# ---------------------------------------------------------------------------
step "npm dependencies ($REPO)"
if [ "${NX_MULTIARCH_SKIP_NPM:-0}" = 1 ]; then
  info "skipped (NX_MULTIARCH_SKIP_NPM=1)"
else
  command -v npm >/dev/null || die "npm not found: install Node.js 20 (e.g. from NodeSource) first"
  hidden=node_modules/.package-lock.json
  if [ -f "$hidden" ] && [ ! "$hidden" -ot package.json ] && { [ ! -f package-lock.json ] || [ ! "$hidden" -ot package-lock.json ]; }; then
    info "already current: node_modules"
  else
    # npm install, not npm ci: npm 11 leaves nx's optional per-platform packages out of the lock file and
    # npm ci then refuses it. npm install still installs the locked versions.
    info "npm install (versions from package-lock.json)"
    npm install --no-audit --no-fund || die "npm install failed"
  fi
  # Nx runs the plugin from packages/nx-multiarch/dist, as it would from an installed package.
  info "npm run build (the plugin, packages/nx-multiarch/dist)"
  npm run build --silent || die "building the plugin failed: see the tsc errors above"
fi

# ---------------------------------------------------------------------------
step "Done in $(($(date +%s) - START_TIME)) s"
info "registry:          http://$REGISTRY (storage $CACHE/registry, log $CACHE/registry.log)"
info "fixture images:    $FIXTURE_BUSYBOX, $FIXTURE_GOLANG"
info "emulation:         $QEMU_HANDLER (host $HOST_ARCH)"
if [ -s "$CACHE/sandbox.env" ]; then
  info "sandbox env:       source $CACHE/sandbox.env"
  sed 's/^/                       /' "$CACHE/sandbox.env"
else
  info "sandbox env:       $CACHE/sandbox.env (empty: nothing needed on this host)"
fi
info "registries.conf:   $REGISTRIES_CONF"
