#!/usr/bin/env bash
# scripts/netns.sh: network namespaces for the queue's tests (workers on "other machines"), as root. Idempotent.
#
#   scripts/netns.sh up NAME INDEX    namespace NAME joined to this one by a veth pair: bw-vINDEX here with
#                                     10.203.INDEX.1/24, bw-vINDEXp in NAME with 10.203.INDEX.2/24 (and NAME's lo up);
#                                     prints the address here (10.203.INDEX.1), which NAME reaches the host's servers
#                                     on (a server must listen there: listen_addresses='*'). INDEX: 1-254.
#   scripts/netns.sh down NAME [INDEX] removes the namespace (its veth pair goes with it, a moment later; with
#                                     INDEX, waits until the host side is gone, and removes one left behind)
#   scripts/netns.sh cut NAME INDEX   takes the pair's link down: new connections from NAME fail at once (network
#                                     unreachable), established ones hang as over a broken network (no reset)
#   scripts/netns.sh mend NAME INDEX  brings it up again
#
# Run a command in NAME with `ip netns exec NAME CMD...`. Status 1 with one line when it cannot (not root, no `ip`).
set -euo pipefail

die() { echo "netns: $*" >&2; exit 1; }
usage() { echo "usage: scripts/netns.sh up NAME INDEX | down NAME [INDEX] | cut NAME INDEX | mend NAME INDEX" >&2; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1 name=$2 index=${3:-}
[[ $name =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || die "a namespace name is letters, digits, '.', '_' and '-': $name"
if [ -n "$index" ]; then
  [[ $index =~ ^[0-9]+$ ]] && [ "$index" -ge 1 ] && [ "$index" -le 254 ] || die "INDEX is 1-254: $index"
fi
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
command -v ip >/dev/null 2>&1 || die "no ip command: install the Debian package iproute2"

host=bw-v$index        # at most 9 characters; interface names take 15
peer=bw-v${index}p

has_ns() { ip netns list | awk '{print $1}' | grep -qxF "$name"; }

# drop_host: removes the host side bw-vINDEX, and waits until it is gone (a namespace's removal takes its veth
# pair with it a moment later, in the kernel's own time).
drop_host() {
  local i
  for i in $(seq 50); do
    ip link show "$host" >/dev/null 2>&1 || return 0
    ip link del "$host" 2>/dev/null || true
    sleep 0.1
  done
  die "could not remove $host"
}

case $cmd in
  up)
    [ -n "$index" ] || usage
    has_ns || ip netns add "$name" || die "could not create the namespace $name"
    if ip link show "$host" >/dev/null 2>&1 && ! ip -n "$name" link show "$peer" >/dev/null 2>&1; then
      drop_host   # a pair left from another namespace of that index, or one on its way out
    fi
    if ! ip link show "$host" >/dev/null 2>&1; then
      ip link add "$host" type veth peer name "$peer" netns "$name" || die "could not create the veth pair $host/$peer"
    fi
    ip addr replace "10.203.$index.1/24" dev "$host"
    ip link set "$host" up
    ip -n "$name" addr replace "10.203.$index.2/24" dev "$peer"
    ip -n "$name" link set "$peer" up
    ip -n "$name" link set lo up
    echo "10.203.$index.1"
    ;;
  down)
    if has_ns; then ip netns del "$name"; fi
    if [ -n "$index" ]; then drop_host; fi
    ;;
  cut|mend)
    [ -n "$index" ] || usage
    has_ns || die "no namespace $name"
    state=down; [ "$cmd" = mend ] && state=up
    ip link set "$host" "$state"
    ip -n "$name" link set "$peer" "$state"
    ;;
  *) usage ;;
esac
