#!/usr/bin/env bash
# Installs everything the Silhouette test suite needs on a Debian bookworm
# machine: PostgreSQL 15 (+ pgvector built from source), Redis, Chromium with
# fonts, poppler-utils. Idempotent; returns in milliseconds when nothing is
# missing. Progress goes to stderr.
#
# Environment overrides (all optional):
#   PGVECTOR_SUITE            Debian suite to take the pgvector source from (default: trixie)
#   SILHOUETTE_DEBIAN_MIRROR  archive URL to use instead of the one in the machine's apt sources
set -euo pipefail

PG_MAJOR=15
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
PGVECTOR_SUITE=${PGVECTOR_SUITE:-trixie}
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# build-essential brings make, gcc and dpkg-dev (dpkg-source unpacks the
# pgvector source package). Chromium renders no text without a font package.
PACKAGES=(
  "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" build-essential
  redis-server chromium fonts-liberation fonts-dejavu-core poppler-utils
)

log() { printf 'provision: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

missing_packages() {
  # One dpkg-query call for all packages (fast); unknown packages print nothing.
  local installed pkg
  installed=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${PACKAGES[@]}" 2>/dev/null \
    | awk '$1 == "installed" { print $2 }' || true)
  for pkg in "${PACKAGES[@]}"; do
    grep -qxF "$pkg" <<<"$installed" || echo "$pkg"
  done
}

pgvector_installed() {
  # pg_config may itself be missing on a fresh machine (postgresql-client-15).
  [[ -x $PG_CONFIG ]] || return 1
  [[ -f "$("$PG_CONFIG" --sharedir)/extension/vector.control" ]] &&
    [[ -f "$("$PG_CONFIG" --pkglibdir)/vector.so" ]]
}

mapfile -t MISSING < <(missing_packages)
NEED_PGVECTOR=0
pgvector_installed || NEED_PGVECTOR=1

if [[ ${#MISSING[@]} -eq 0 && $NEED_PGVECTOR -eq 0 ]]; then
  log "all packages and pgvector already present"
  exit 0
fi

# Everything below needs root. Re-run ourselves through sudo if necessary.
if [[ $EUID -ne 0 ]]; then
  command -v sudo >/dev/null || die "must run as root (sudo not available)"
  log "re-running with sudo"
  exec sudo --preserve-env=PGVECTOR_SUITE,SILHOUETTE_DEBIAN_MIRROR bash "$0" "$@"
fi

# Noisy output (apt, make) goes to a log that is shown only on failure.
WORK=$(mktemp -d /tmp/silhouette-provision.XXXXXX)
LOG=$WORK/provision.log
on_exit() {
  local rc=$?
  if [[ $rc -eq 0 ]]; then
    rm -rf "$WORK"
  else
    log "FAILED (exit $rc); last lines of $LOG:"
    tail -n 40 "$LOG" >&2 || true
  fi
}
trap on_exit EXIT
quiet() { "$@" >>"$LOG" 2>&1; }

export DEBIAN_FRONTEND=noninteractive
# Wait for a concurrent apt/dpkg (e.g. unattended-upgrades) instead of failing.
APT_OPTS=(-o DPkg::Lock::Timeout=300)

if [[ ${#MISSING[@]} -gt 0 ]]; then
  log "installing: ${MISSING[*]}"
  # Package lists are often empty/stale on fresh images; one update per run.
  quiet apt-get "${APT_OPTS[@]}" update
  # confold/confdef: never prompt about config files (installing
  # postgresql-server-dev-15 may also upgrade postgresql-15 to the same version).
  quiet apt-get "${APT_OPTS[@]}" -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    install "${MISSING[@]}"
fi

debian_mirror() {
  if [[ -n ${SILHOUETTE_DEBIAN_MIRROR:-} ]]; then
    echo "$SILHOUETTE_DEBIAN_MIRROR"
    return
  fi
  # Ask apt which archive serves "<codename> main" for binary packages. apt
  # parses both /etc/apt/sources.list (one-line "deb URI suite comps") and
  # /etc/apt/sources.list.d/*.sources (deb822 "URIs:"), so both formats work
  # and no host name is hard-coded here.
  local codename
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  # shellcheck disable=SC2016  # $(SITE) is apt's placeholder, not a shell expansion
  apt-get indextargets --no-release-info --format '$(SITE)' \
    "Release: $codename" "Component: main" "Target-Of: deb" | awk 'NR == 1'
}

build_pgvector() {
  local mirror tmp srcdir
  mirror=$(debian_mirror)
  [[ -n $mirror ]] || die "could not find the Debian archive in the apt sources"
  [[ -f $DEBIAN_KEYRING ]] || die "$DEBIAN_KEYRING missing (install debian-archive-keyring)"
  log "building pgvector from Debian $PGVECTOR_SUITE source ($mirror)"

  tmp=$WORK/pgvector
  mkdir -p "$tmp/sources.list.d" "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/src"
  # apt downloads as the unprivileged _apt user; let it write into the temp dir.
  chmod 755 "$WORK" "$tmp"
  chown -R _apt:root "$tmp/lists" "$tmp/cache" "$tmp/src"

  # Trust chain (apt enforces every step; any failure aborts the script):
  #  1. The suite's InRelease must carry a valid signature by a key in the
  #     locally installed debian-archive-keyring (Signed-By below). bookworm's
  #     keyring ships the trixie keys since 2023.3+deb12u2; at the time of
  #     writing trixie's InRelease is signed by the 12/bookworm automatic key
  #     and both 13/trixie keys, so even an older bookworm keyring verifies it.
  #  2. The Sources index is checked against the SHA256 listed in InRelease.
  #  3. apt-get source checks the .dsc, .orig.tar.gz and .debian.tar.xz
  #     against the SHA256 sums listed in that Sources index.
  # Only temporary sources/lists/cache dirs are used: the system's apt
  # configuration and package lists are left untouched.
  cat >"$tmp/sources.list.d/pgvector-src.sources" <<EOF
Types: deb-src
URIs: $mirror
Suites: $PGVECTOR_SUITE
Components: main
Signed-By: $DEBIAN_KEYRING
EOF
  local apt_tmp=(
    "${APT_OPTS[@]}"
    -o Dir::Etc::SourceList=/dev/null
    -o Dir::Etc::SourceParts="$tmp/sources.list.d"
    -o Dir::State::Lists="$tmp/lists"
    -o Dir::Cache="$tmp/cache"
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
  )
  # --error-on=any: fail on any fetch/signature problem instead of warning.
  quiet apt-get "${apt_tmp[@]}" --error-on=any update
  # Downloads, hash-checks and unpacks (dpkg-source -x) the source package.
  (cd "$tmp/src" && quiet apt-get "${apt_tmp[@]}" source pgvector)

  srcdir=$(find "$tmp/src" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n1)
  [[ -n $srcdir ]] || die "pgvector source not unpacked"
  # OPTFLAGS= : no -march=native, so the build also works if this machine
  # image is later run on a different CPU (same choice as Debian's package).
  log "compiling $(basename "$srcdir")"
  quiet make -C "$srcdir" -j2 PG_CONFIG="$PG_CONFIG" OPTFLAGS=
  quiet make -C "$srcdir" PG_CONFIG="$PG_CONFIG" OPTFLAGS= install
  pgvector_installed || die "pgvector install did not produce vector.control/vector.so"
  log "pgvector installed ($(basename "$srcdir"))"
}

if [[ $NEED_PGVECTOR -eq 1 ]]; then
  build_pgvector
fi
log "done"
