#!/usr/bin/env bash
# Deploy codeloom to a (GPU) host over SSH: copy the source, build it there
# (with the CUDA backend when the host has nvcc), install `codeloom serve` as
# a systemd service (or a background process where systemd is absent), wait
# for /health and print the URL. Rerunning upgrades in place; a new release
# that fails its health check is rolled back to the previous one.
#
# Usage: scripts/deploy_to_gpu.sh [options] [USER@]HOST        (see --help)
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/deploy_to_gpu.sh [options] [USER@]HOST

Connection (flags win over environment variables):
  -u, --user USER         SSH user                          DEPLOY_SSH_USER   (default: yours)
  -p, --port PORT         SSH port                          DEPLOY_SSH_PORT   (default: 22)
  -i, --key FILE          SSH private key                   DEPLOY_SSH_KEY
  -o, --ssh-option OPT    extra `ssh -o` option (repeatable), e.g. -o StrictHostKeyChecking=accept-new

What and where:
  --prefix DIR            install folder on the host        DEPLOY_PREFIX     (default: codeloom, under the
                          SSH user's home): releases/, current, previous, models/, codeloom.env, logs/
  --models DIR            models folder on the host         DEPLOY_MODELS     (default: PREFIX/models)
  --copy-models DIR       copy a local models folder into it first
  --tarball FILE          deploy this source tarball instead of the checkout's HEAD
  --worktree              deploy the working tree (uncommitted changes too) instead of HEAD
  --cuda auto|yes|no      build the CUDA backend: auto = when nvcc exists (default auto)

Service:
  --serve-port PORT       port of `codeloom serve`         DEPLOY_SERVE_PORT (default: 8000)
  --bind ADDR             address it listens on             DEPLOY_BIND       (default: 0.0.0.0)
  --api-key KEY           API key clients must send         CODELOOM_API_KEY  (default: keep the host's,
                          or make one and print it once)
  --service KIND          auto|systemd|background (default auto: systemd when it runs and we may use it)
  --name NAME             service name (default: codeloom)
  --health-timeout SEC    how long to wait for /health (default: 120)

  -n, --dry-run           print every step and command, change nothing
  -h, --help              this help
EOF
}

die() { echo "deploy: $*" >&2; exit 1; }
say() { echo "==> $*"; }

ssh_user=${DEPLOY_SSH_USER:-}
ssh_port=${DEPLOY_SSH_PORT:-22}
ssh_key=${DEPLOY_SSH_KEY:-}
ssh_opts=()
prefix=${DEPLOY_PREFIX:-codeloom}
models=${DEPLOY_MODELS:-}
copy_models=""
tarball=""
worktree=0
cuda=auto
serve_port=${DEPLOY_SERVE_PORT:-8000}
bind=${DEPLOY_BIND:-0.0.0.0}
api_key=${CODELOOM_API_KEY:-}
service=auto
name=codeloom
health_timeout=120
dry_run=0
host=""

while [ $# -gt 0 ]; do
  case $1 in
    -u|--user) ssh_user=$2; shift 2 ;;
    -p|--port) ssh_port=$2; shift 2 ;;
    -i|--key) ssh_key=$2; shift 2 ;;
    -o|--ssh-option) ssh_opts+=(-o "$2"); shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --copy-models) copy_models=$2; shift 2 ;;
    --tarball) tarball=$2; shift 2 ;;
    --worktree) worktree=1; shift ;;
    --cuda) cuda=$2; shift 2 ;;
    --serve-port) serve_port=$2; shift 2 ;;
    --bind) bind=$2; shift 2 ;;
    --api-key) api_key=$2; shift 2 ;;
    --service) service=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --health-timeout) health_timeout=$2; shift 2 ;;
    -n|--dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [ -z "$host" ] || die "one host only (got $host and $1)"; host=$1; shift ;;
  esac
done

[ -n "$host" ] || { usage >&2; die "name the host"; }
case $host in *@*) ssh_user=${host%@*}; host=${host#*@} ;; esac
case $cuda in auto|yes|no) ;; *) die "--cuda must be auto, yes or no" ;; esac
case $service in auto|systemd|background) ;; *) die "--service must be auto, systemd or background" ;; esac
[[ $serve_port =~ ^[0-9]+$ ]] || die "--serve-port must be a number"
[[ $ssh_port =~ ^[0-9]+$ ]] || die "--port must be a number"
[[ $health_timeout =~ ^[0-9]+$ ]] || die "--health-timeout must be a number of seconds"
[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || die "--name must be letters, digits, '.', '_' or '-'"
[ -z "$ssh_key" ] || [ -r "$ssh_key" ] || die "SSH key $ssh_key is not readable"
[ -z "$copy_models" ] || [ -d "$copy_models" ] || die "--copy-models $copy_models is not a folder"
[ -z "$tarball" ] || [ -r "$tarball" ] || die "--tarball $tarball is not readable"
[ -z "$models" ] && models="$prefix/models"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${ssh_user:+$ssh_user@}$host
ssh_cmd=(ssh -p "$ssh_port" -o BatchMode=yes -o ConnectTimeout=15)
[ -n "$ssh_key" ] && ssh_cmd+=(-i "$ssh_key" -o IdentitiesOnly=yes)
ssh_cmd+=("${ssh_opts[@]}" "$target")

# The release id names the folder the new build goes to: time plus commit,
# so two deploys never share one.
if [ -n "$tarball" ]; then
  version=$(basename "$tarball" | sed 's/\.tar.*$//; s/\.tgz$//')
else
  version=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)
  [ "$worktree" = 1 ] || version=$(git -C "$repo" rev-parse --short HEAD)
fi
release=$(date -u +%Y%m%dT%H%M%S)-$version-$$

# remote_lib holds the functions that run on the host; each remote step is
# `bash PREFIX/.deploy-lib.sh FUNCTION ARGS...`.
remote_lib=$(cat <<'REMOTE'
set -euo pipefail
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin:/usr/local/cuda/bin"
# A relative prefix is relative to the SSH user's home.
cd "$HOME"

log() { echo "    [$(hostname)] $*"; }

check_host() { # check_host
  command -v go >/dev/null || { echo "go is not installed on $(hostname) (needs the version in go.mod)" >&2; exit 1; }
  command -v make >/dev/null || { echo "make is not installed on $(hostname)" >&2; exit 1; }
  command -v tar >/dev/null || { echo "tar is not installed on $(hostname)" >&2; exit 1; }
  command -v cc >/dev/null || command -v gcc >/dev/null || { echo "no C compiler (cc/gcc) on $(hostname)" >&2; exit 1; }
  log "$(go version)"
  # A CUDA toolkit without a working driver (or GPU) still has nvidia-smi,
  # which then fails: that is a host to build for, not a reason to stop.
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi -L 2>&1 | sed 's/^/    /' || log "nvidia-smi found no working GPU driver: the CUDA backend will report no device"
  fi
}

unpack() { # unpack PREFIX RELEASE: the source tarball on stdin
  local dir="$1/releases/$2"
  mkdir -p "$dir"
  tar -x -C "$dir"
  # A release tarball may hold one top folder (codeloom-1.0/): lift it.
  local entries; entries=$(ls -A "$dir")
  if [ ! -e "$dir/Makefile" ] && [ "$(wc -l <<<"$entries")" = 1 ] && [ -d "$dir/$entries" ]; then
    mv "$dir/$entries" "$dir.top" && rmdir "$dir" && mv "$dir.top" "$dir"
  fi
  [ -e "$dir/Makefile" ] || { echo "the source has no Makefile at its top" >&2; exit 1; }
}

unpack_models() { # unpack_models MODELS: a tarball of model files on stdin
  mkdir -p "$1"
  tar -x -C "$1"
}

build() { # build PREFIX RELEASE CUDA(auto|yes|no)
  cd "$1/releases/$2"
  local with_cuda=0
  # auto builds the CUDA backend where it can run: nvcc to build it and a
  # GPU the driver sees (make cuda builds for this host's GPUs).
  local gpu=0
  command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 && gpu=1
  case $3 in
    yes) with_cuda=1 ;;
    auto) command -v nvcc >/dev/null && [ $gpu = 1 ] && with_cuda=1 ;;
  esac
  if [ "$3" = yes ] && ! command -v nvcc >/dev/null; then
    echo "--cuda yes, but nvcc is not on $(hostname)" >&2; exit 1
  fi
  if [ $with_cuda = 1 ]; then
    log "building the CUDA backend (nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'))"
    make cuda
  elif command -v nvcc >/dev/null; then
    log "WARNING: nvcc but no GPU the driver sees on $(hostname): building for CPU only (--cuda yes builds anyway)"
  else
    log "WARNING: no CUDA toolkit (nvcc) on $(hostname): building for CPU only"
  fi
  log "building codeloom"
  make build
  ./bin/codeloom version || true
}

write_env() { # write_env PREFIX: the API key on stdin; none keeps the host's key or makes one
  local env="$1/codeloom.env" key
  key=$(cat)
  if [ -z "$key" ] && [ -f "$env" ]; then
    log "keeping the API key in $env"
    return
  fi
  if [ -z "$key" ]; then
    key=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
    echo "NEW_API_KEY=$key"
  fi
  ( umask 077; printf 'CODELOOM_API_KEYS=%s\n' "$key" > "$env.tmp" )
  mv "$env.tmp" "$env"
}

service_kind() { # service_kind WANTED: prints systemd or background
  if [ "$1" != background ] && [ -d /run/systemd/system ] && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    echo systemd
  elif [ "$1" = systemd ]; then
    echo "systemd is not running on $(hostname), or needs a password for sudo" >&2; exit 1
  else
    echo background
  fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

install_systemd() { # install_systemd NAME PREFIX MODELS BIND PORT
  local prefix; prefix=$(cd "$2" && pwd)
  local models; models=$(mkdir -p "$3" && cd "$3" && pwd)
  as_root tee "/etc/systemd/system/$1.service" >/dev/null <<UNIT
[Unit]
Description=codeloom model server
After=network-online.target

[Service]
EnvironmentFile=$prefix/codeloom.env
WorkingDirectory=$prefix/current
ExecStart=$prefix/current/bin/codeloom serve --models "$models" --addr $4:$5
Restart=on-failure
RestartSec=2
User=$(id -un)

[Install]
WantedBy=multi-user.target
UNIT
  as_root systemctl daemon-reload
  as_root systemctl enable "$1" >/dev/null
}

stop_background() { # stop_background PREFIX
  local pidfile="$1/run/codeloom.pid"
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
}

start_background() { # start_background PREFIX MODELS BIND PORT
  local prefix; prefix=$(cd "$1" && pwd)
  local models; models=$(mkdir -p "$2" && cd "$2" && pwd)
  mkdir -p "$prefix/run" "$prefix/logs"
  stop_background "$prefix"
  (
    set -a; . "$prefix/codeloom.env"; set +a
    cd "$prefix/current"
    # setsid: the server outlives this SSH session.
    setsid nohup "$prefix/current/bin/codeloom" serve --models "$models" --addr "$3:$4" \
      >>"$prefix/logs/serve.log" 2>&1 </dev/null &
    echo $! > "$prefix/run/codeloom.pid"
  )
  log "started (pid $(cat "$prefix/run/codeloom.pid")), log in $prefix/logs/serve.log"
}

stop() { # stop KIND NAME PREFIX
  if [ "$1" = systemd ]; then as_root systemctl stop "$2"; else stop_background "$3"; fi
}

restart() { # restart KIND NAME PREFIX MODELS BIND PORT
  if [ "$1" = systemd ]; then
    as_root systemctl restart "$2"
  else
    start_background "$3" "$4" "$5" "$6"
  fi
}

switch() { # switch PREFIX RELEASE: current -> RELEASE, previous -> what current was
  cd "$1"
  if [ -L current ]; then ln -sfn "$(readlink current)" previous; fi
  ln -sfn "releases/$2" current.new && mv -T current.new current
}

rollback() { # rollback PREFIX: current -> previous
  cd "$1"
  [ -L previous ] || { echo "no previous release to roll back to" >&2; return 1; }
  local bad; bad=$(readlink current)
  ln -sfn "$(readlink previous)" current.new && mv -T current.new current
  log "rolled back from $bad to $(readlink current)"
}

health() { # health KIND PREFIX PORT TIMEOUT: waits for /health to answer 200
  local url="http://127.0.0.1:$3/health" deadline=$((SECONDS + $4))
  while [ $SECONDS -lt $deadline ]; do
    if [ "$1" = background ] && ! kill -0 "$(cat "$2/run/codeloom.pid" 2>/dev/null || echo 0)" 2>/dev/null; then
      echo "the server exited; last lines of $2/logs/serve.log:" >&2
      tail -n 20 "$2/logs/serve.log" >&2 || true
      return 1
    fi
    if command -v curl >/dev/null; then
      curl -fsS --max-time 2 "$url" >/dev/null 2>&1 && { log "$url answers"; return 0; }
    else
      wget -q -T 2 -O /dev/null "$url" 2>/dev/null && { log "$url answers"; return 0; }
    fi
    sleep 1
  done
  echo "no answer from $url within $4 s" >&2
  return 1
}

prune() { # prune PREFIX KEEP: delete all but the newest KEEP releases (never current or previous)
  cd "$1/releases"
  local cur prev; cur=$(basename "$(readlink ../current)"); prev=$(basename "$(readlink ../previous 2>/dev/null || echo none)")
  ls -1 | sort -r | tail -n +"$(($2 + 1))" | while read -r r; do
    [ "$r" = "$cur" ] || [ "$r" = "$prev" ] || { rm -rf "$r"; log "removed old release $r"; }
  done
}

"$@"
REMOTE
)

# remote FUNCTION ARGS...: run one function of remote_lib on the host
# (install_lib put them there). remote_stream passes this script's stdin on,
# for tarballs; remote gives the host none.
remote() { run_remote "$@" </dev/null; }
remote_stream() { run_remote "$@"; }
run_remote() {
  local quoted; quoted=$(printf '%q ' "$@")
  if [ "$dry_run" = 1 ]; then
    echo "    would run on $target: $quoted"
    return 0
  fi
  "${ssh_cmd[@]}" "bash $(printf '%q' "$prefix/.deploy-lib.sh") $quoted"
}

# install_lib copies the remote functions to PREFIX/.deploy-lib.sh.
install_lib() {
  local dir; dir=$(printf '%q' "$prefix")
  if [ "$dry_run" = 1 ]; then
    echo "    would copy the deploy functions to $target:$prefix/.deploy-lib.sh"
    return 0
  fi
  "${ssh_cmd[@]}" "mkdir -p $dir && cat > $dir/.deploy-lib.sh" <<<"$remote_lib"
}

source_name() {
  if [ -n "$tarball" ]; then echo "$tarball"
  elif [ "$worktree" = 1 ]; then echo "the working tree of $repo"
  else echo "git archive HEAD of $repo"
  fi
}

source_tar() {
  if [ -n "$tarball" ]; then
    case $tarball in *.gz|*.tgz) gzip -dc "$tarball" ;; *) cat "$tarball" ;; esac
  elif [ "$worktree" = 1 ]; then
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh | tar -c --null -T -)
  else
    git -C "$repo" archive --format=tar HEAD
  fi
}

[ "$dry_run" = 1 ] && say "dry run: nothing on $target will change"
say "deploying $release to $target:$prefix (ssh port $ssh_port)"
echo "    ssh: ${ssh_cmd[*]}"

say "1/7 checking the host"
install_lib
remote check_host

say "2/7 copying the source"
if [ "$dry_run" = 1 ]; then
  echo "    would send $(source_name) to:"
  remote unpack "$prefix" "$release"
else
  source_tar | remote_stream unpack "$prefix" "$release"
fi
if [ -n "$copy_models" ]; then
  say "    copying models from $copy_models to $models"
  if [ "$dry_run" = 1 ]; then
    remote unpack_models "$models"
  else
    tar -C "$copy_models" -c . | remote_stream unpack_models "$models"
  fi
fi

say "3/7 building on the host (CUDA: $cuda)"
remote build "$prefix" "$release" "$cuda"

say "4/7 writing the service settings"
# The key goes on stdin: command lines are visible to every user of the host.
if [ "$dry_run" = 1 ]; then
  env_out=$(remote write_env "$prefix")
else
  env_out=$(printf '%s' "$api_key" | remote_stream write_env "$prefix")
fi
new_key=$(sed -n 's/^NEW_API_KEY=//p' <<<"$env_out")
[ -z "$env_out" ] || grep -v '^NEW_API_KEY=' <<<"$env_out" || true

say "5/7 installing the service"
if [ "$dry_run" = 1 ]; then
  remote service_kind "$service"
  kind=$([ "$service" = auto ] && echo "systemd-or-background" || echo "$service")
else
  kind=$(remote service_kind "$service")
fi
echo "    service: $kind"
remote switch "$prefix" "$release"
if [ "$dry_run" = 1 ]; then
  echo "    with systemd only:"
fi
if [ "$kind" = systemd ] || [ "$dry_run" = 1 ]; then
  remote install_systemd "$name" "$prefix" "$models" "$bind" "$serve_port"
fi

say "6/7 starting and waiting for /health (up to ${health_timeout}s)"
remote restart "$kind" "$name" "$prefix" "$models" "$bind" "$serve_port"
if ! remote health "$kind" "$prefix" "$serve_port" "$health_timeout"; then
  echo "deploy: the new release failed its health check" >&2
  if remote rollback "$prefix"; then
    remote restart "$kind" "$name" "$prefix" "$models" "$bind" "$serve_port"
    if remote health "$kind" "$prefix" "$serve_port" "$health_timeout"; then
      die "rolled back: the previous release serves again on port $serve_port"
    fi
    die "rolled back, but the previous release does not answer either"
  fi
  remote stop "$kind" "$name" "$prefix"
  die "no earlier release to roll back to; the service is stopped"
fi

say "7/7 cleaning up old releases"
remote prune "$prefix" 3

say "codeloom serves at http://$host:$serve_port/ (health: http://$host:$serve_port/health)"
if [ -n "$new_key" ]; then
  echo "    API key (made now, shown once; kept in $prefix/codeloom.env on the host): $new_key"
fi
