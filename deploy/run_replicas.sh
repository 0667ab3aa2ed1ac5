#!/usr/bin/env bash
# Start N Optimizer Lab replicas on loopback and, with --proxy, nginx in front of them (deploy/nginx.conf
# with the ports filled in). Runs in the foreground; Ctrl-C (or SIGTERM) stops everything it started.
#
#   deploy/run_replicas.sh                      # 2 replicas on 127.0.0.1:8601-8602, no proxy
#   deploy/run_replicas.sh -n 3 --proxy 8501    # 3 replicas and nginx on port 8501 (share http://<this machine>:8501)
#   deploy/run_replicas.sh -n 2 -p 9001 --proxy 9000 --proxy-address 127.0.0.1 --dir /tmp/lab
#                                               # other ports, proxy on loopback only, state under /tmp/lab
#
# Every replica runs `streamlit run app.py` from the repo root (so it reads .streamlit/config.toml) with the
# same server.cookieSecret. Logs, pids and the rendered nginx.conf go to --dir (default artifacts/replicas).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=2
FIRST=8601
PROXY=""
PROXY_ADDRESS="0.0.0.0"
DIR="$ROOT/artifacts/replicas"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case "$1" in
        -n) N="$2"; shift 2 ;;
        -p) FIRST="$2"; shift 2 ;;
        --proxy) PROXY="$2"; shift 2 ;;
        --proxy-address) PROXY_ADDRESS="$2"; shift 2 ;;
        --dir) DIR="$2"; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument: $1" >&2; usage 2 ;;
    esac
done
case "$N" in ''|*[!0-9]*) echo "-n must be a number" >&2; exit 2 ;; esac
[ "$N" -ge 1 ] && [ "$N" -le 16 ] || { echo "-n must be in 1..16" >&2; exit 2; }

mkdir -p "$DIR/tmp"
SECRET="$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')"
PIDS=()

stop() {
    trap - INT TERM EXIT
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

cd "$ROOT"
PORTS=()
for i in $(seq 0 $((N - 1))); do
    port=$((FIRST + i))
    PORTS+=("$port")
    # MALLOC_ARENA_MAX=2: with ui/memory.py's malloc_trim, memory goes back near its baseline after a class
    MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" STREAMLIT_SERVER_COOKIE_SECRET="$SECRET" \
        "$PYTHON" -m streamlit run app.py \
        --server.port "$port" --server.address 127.0.0.1 >"$DIR/replica-$port.log" 2>&1 &
    PIDS+=("$!")
    echo "$!" >"$DIR/replica-$port.pid"
done

for port in "${PORTS[@]}"; do
    for _ in $(seq 1 300); do
        if "$PYTHON" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" \
        || { echo "replica on port $port did not start; see $DIR/replica-$port.log" >&2; exit 1; }
    echo "replica ready: http://127.0.0.1:$port (pid $(cat "$DIR/replica-$port.pid"))"
done

if [ -n "$PROXY" ]; then
    command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install -y nginx)" >&2; exit 1; }
    servers=""
    for port in "${PORTS[@]}"; do servers="${servers}        server 127.0.0.1:${port};\n"; done
    awk -v servers="$servers" -v listen="$PROXY_ADDRESS:$PROXY" '
        /# replicas-begin/ { print; printf "%s", servers; skip = 1; next }
        /# replicas-end/   { skip = 0 }
        skip               { next }
        /^ *listen [0-9]+;/ { sub(/[0-9]+/, listen) }
        { print }
    ' "$ROOT/deploy/nginx.conf" >"$DIR/nginx.conf"
    nginx -t -q -p "$DIR" -c "$DIR/nginx.conf"
    nginx -p "$DIR" -c "$DIR/nginx.conf" -g 'daemon off;' &
    PIDS+=("$!")
    echo "$!" >"$DIR/nginx.master.pid"
    echo "proxy: http://$PROXY_ADDRESS:$PROXY -> ${PORTS[*]} (config $DIR/nginx.conf)"
fi

echo "running; Ctrl-C stops all"
wait
