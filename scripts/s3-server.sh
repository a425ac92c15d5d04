#!/usr/bin/env bash
# lakepack's local S3 test server: start | stop | env | status.
#
# Default server: a throw-away single-node Ceph cluster (1 mon + 1 OSD + radosgw/beast), the only
# local server found that verifies SigV4 everywhere (see ../shared/research/s3-servers/REPORT.md beside the checkout).
# LAKEPACK_S3_SERVER=moto selects moto's in-memory server from .venv instead: starts in ~1 s, but
# checks no signatures or digests, so use it only for quick local loops.
#
# Everything binds 127.0.0.1 only.  Environment overrides:
#   LAKEPACK_S3_SERVER  ceph | moto                       default ceph
#   LAKEPACK_S3_DIR     state directory                    default /tmp/lakepack-s3
#   LAKEPACK_S3_PORT    S3 port on 127.0.0.1               default 7480
#                       (Ceph's monitor uses PORT+1 (msgr2) and PORT+2 (msgr1), so a second
#                       instance with another DIR and PORT can run beside the first)
#   LAKEPACK_S3_STORE   bluestore | memstore (Ceph only)   default bluestore
#
# `start` is idempotent: a server that is already running from DIR and answering is reused.
# It creates the S3 user testkey/testsecret and the bucket lakepack-test, then writes DIR/env
# (source it to point clients at the server).  `stop` kills only the PIDs `start` recorded in
# DIR/pids and removes DIR.  `env` prints DIR/env.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KIND=${LAKEPACK_S3_SERVER:-ceph}
DIR=${LAKEPACK_S3_DIR:-/tmp/lakepack-s3}
PORT=${LAKEPACK_S3_PORT:-7480}
# Why bluestore (on a sparse file) by default, measured here on 2 cores: start to "bucket ready"
# took 17.0 s with bluestore vs 14.5 s with memstore, but after storing 256 MB the three daemons
# held 286 MB RSS with bluestore vs 778 MB with memstore (memstore keeps every object in RAM).
# On a machine shared by several engineers and benchmarks, 2.5 s of start-up is the cheaper cost.
STORE=${LAKEPACK_S3_STORE:-bluestore}
AK=testkey
SK=testsecret
BUCKET=lakepack-test
ENDPOINT=http://127.0.0.1:$PORT
MON_V2=$((PORT + 1))
MON_V1=$((PORT + 2))

log() { echo "s3-server: $*" >&2; }
die() { log "$*"; exit 1; }

answering() { curl -s -o /dev/null --max-time 2 "$ENDPOINT/"; }

# pid_alive PID: true if PID runs a process whose command line mentions our state dir or port.
# Invariant: we never signal a PID that was reused by an unrelated process.
pid_alive() {
  local pid=$1 cmd
  [ -r "/proc/$pid/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  [[ $cmd == *"$DIR"* || $cmd == *"-p $PORT"* ]]
}

all_recorded_alive() {
  [ -s "$DIR/pids" ] || return 1
  local name pid
  while read -r name pid; do pid_alive "$pid" || return 1; done <"$DIR/pids"
}

do_stop() {
  [ -d "$DIR" ] || return 0
  if [ -s "$DIR/pids" ]; then
    local name pid alive=()
    # Reverse order: rgw first, then OSD, then mon.
    while read -r name pid; do
      if pid_alive "$pid"; then kill "$pid" 2>/dev/null || true; alive+=("$pid"); fi
    done < <(tac "$DIR/pids")
    for _ in $(seq 1 50); do
      local left=0
      for pid in "${alive[@]}"; do pid_alive "$pid" && left=1; done
      [ $left = 0 ] && break
      sleep 0.2
    done
    for pid in "${alive[@]}"; do pid_alive "$pid" && kill -9 "$pid" 2>/dev/null || true; done
  fi
  rm -rf "$DIR"
}

# record NAME: append "NAME PID" to DIR/pids once the daemon has written its pid file.
record() {
  local f=$DIR/run/$1.pid
  for _ in $(seq 1 100); do [ -s "$f" ] && break; sleep 0.1; done
  [ -s "$f" ] || die "$1 wrote no pid file; see $DIR/log"
  echo "$1 $(cat "$f")" >>"$DIR/pids"
}

start_moto() {
  local py=$ROOT/.venv/bin/python
  [ -x "$py" ] || die "no $py: run scripts/setup.sh first"
  mkdir -p "$DIR/log"
  # Default moto server keeps no state; credentials are accepted unchecked.
  setsid "$py" -m moto.server -H 127.0.0.1 -p "$PORT" >"$DIR/log/moto.log" 2>&1 </dev/null &
  echo "moto $!" >>"$DIR/pids"
  for _ in $(seq 1 100); do answering && return 0; sleep 0.1; done
  die "moto did not answer on $ENDPOINT; see $DIR/log/moto.log"
}

start_ceph() {
  local b
  for b in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool uuidgen; do
    command -v "$b" >/dev/null || die "missing $b: run scripts/setup.sh first"
  done
  mkdir -p "$DIR"/{mon/a,osd,rgw,run,log}
  local fsid conf kr size
  fsid=$(uuidgen)
  conf=$DIR/ceph.conf
  kr=$DIR/admin.keyring
  # OSD capacity: a sparse file (bluestore) or a RAM cap (memstore); 20 GiB holds the benchmarks.
  if [ "$STORE" = memstore ]; then size=$((4 << 30)); else size=$((20 << 30)); fi
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$MON_V2,v1:127.0.0.1:$MON_V1]
# Both addresses pinned to loopback: without cluster_addr the OSD also listens on 0.0.0.0.
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
public_network = 127.0.0.0/8
cluster_network = 127.0.0.0/8
ms_bind_ipv4 = true
ms_bind_ipv6 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
auth_allow_insecure_global_id_reclaim = false
keyring = $kr
run_dir = $DIR/run
admin_socket = $DIR/run/\$name.asok
log_file = $DIR/log/\$name.log
pid_file = $DIR/run/\$name.pid
# One OSD: single-copy pools, few PGs, no redundancy warnings.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
# The shared disk may be fairly full; the defaults (warn 30 %, stop 5 % free) would halt the mon.
mon_data_avail_warn = 2
mon_data_avail_crit = 1
[mon]
mon_data = $DIR/mon/\$id
mon_initial_members = a
mon_cluster_log_file = $DIR/log/cluster.log
[osd]
osd_data = $DIR/osd/\$id
osd_objectstore = $STORE
# ~0.9 GB: keeps the OSD's caches modest on a shared 2-core machine.
osd_memory_target = 939524096
memstore_device_bytes = $size
bluestore_block_create = true
bluestore_block_size = $size
[client.rgw.a]
keyring = $DIR/rgw/keyring
# tcp_nodelay=1: without it each small GET waited ~48 ms (Nagle + delayed ACK).
rgw_frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw_data = $DIR/rgw
rgw_dns_name = localhost
rgw_enable_usage_log = false
# Deleted and overwritten objects are garbage-collected after hours by default; benchmarks that
# rewrite 1 GiB objects then fill the OSD (seen: "1 full osd", every write hanging).  Collect
# within about a minute instead.
rgw_gc_obj_min_wait = 30
rgw_gc_processor_period = 30
rgw_gc_processor_max_time = 30
EOF
  ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *' \
    >/dev/null
  ceph-authtool --create-keyring "$kr" --gen-key -n client.admin --cap mon 'allow *' \
    --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$DIR/mon.keyring" --import-keyring "$kr" >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_V2,v1:127.0.0.1:$MON_V1]" \
    "$DIR/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring" \
    2>>"$DIR/log/setup.log"
  ceph-mon -c "$conf" -i a 2>>"$DIR/log/setup.log"
  record mon.a
  local c="ceph -c $conf --connect-timeout 30"

  local osd_uuid osd_key id
  osd_uuid=$(uuidgen)
  osd_key=$(ceph-authtool --gen-print-key)
  id=$(echo "{\"cephx_secret\": \"$osd_key\"}" | $c osd new "$osd_uuid" -i - 2>>"$DIR/log/setup.log")
  mkdir -p "$DIR/osd/$id"
  ceph-authtool --create-keyring "$DIR/osd/$id/keyring" --name "osd.$id" --add-key "$osd_key" \
    >/dev/null
  ceph-osd -c "$conf" -i "$id" --mkfs --osd-uuid "$osd_uuid" --keyring "$DIR/osd/$id/keyring" \
    >"$DIR/log/osd-mkfs.log" 2>&1 || die "OSD mkfs failed; see $DIR/log/osd-mkfs.log"
  ceph-osd -c "$conf" -i "$id" --keyring "$DIR/osd/$id/keyring" 2>>"$DIR/log/setup.log"
  record "osd.$id"

  # rgw can start before the OSD is up; it creates its pools once the OSD serves them.
  $c auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' >"$DIR/rgw/keyring" \
    2>>"$DIR/log/setup.log"
  radosgw -c "$conf" -n client.rgw.a 2>>"$DIR/log/setup.log"
  record client.rgw.a
  # ~2 min: rgw's first start creates its pools, which takes ~10 s when the machine is idle.
  for _ in $(seq 1 600); do answering && break; sleep 0.2; done
  answering || die "radosgw did not answer on $ENDPOINT; see $DIR/log"
}

# Creates the user (Ceph) and the bucket; both steps tolerate "already exists".
provision() {
  if [ "$KIND" = ceph ]; then
    radosgw-admin -c "$DIR/ceph.conf" -n client.admin user info --uid=test >/dev/null 2>&1 ||
      radosgw-admin -c "$DIR/ceph.conf" -n client.admin user create --uid=test \
        --display-name=lakepack-test --access-key="$AK" --secret-key="$SK" \
        >"$DIR/log/user-create.json" 2>>"$DIR/log/setup.log" ||
      die "radosgw-admin user create failed; see $DIR/log/setup.log"
  fi
  local code empty_sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
  code=$(curl -s -o "$DIR/log/create-bucket.xml" -w '%{http_code}' -X PUT \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
    -H "x-amz-content-sha256: $empty_sha" "$ENDPOINT/$BUCKET")
  case $code in
    200 | 409) ;;  # 409 BucketAlreadyOwnedByYou on a reused server
    *) die "creating bucket $BUCKET on $ENDPOINT gave HTTP $code: $(cat "$DIR/log/create-bucket.xml")" ;;
  esac
  cat >"$DIR/env" <<EOF
export AWS_ENDPOINT_URL=$ENDPOINT AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true LAKEPACK_TEST_S3=1 LAKEPACK_TEST_BUCKET=$BUCKET LAKEPACK_S3_SERVER_KIND=$KIND
EOF
}

do_start() {
  if all_recorded_alive && answering; then
    provision
    log "reusing $KIND on $ENDPOINT (state in $DIR)"
    return 0
  fi
  do_stop  # stale state from a crashed or half-started run
  if answering; then die "something else already answers on $ENDPOINT; set LAKEPACK_S3_PORT"; fi
  local t0=$SECONDS
  mkdir -p "$DIR"
  : >"$DIR/pids"
  case $KIND in
    ceph) start_ceph ;;
    moto) start_moto ;;
    *) die "LAKEPACK_S3_SERVER must be ceph or moto, not '$KIND'" ;;
  esac
  provision
  log "$KIND ready on $ENDPOINT in $((SECONDS - t0)) s; source $DIR/env"
}

case ${1:-} in
  start) do_start ;;
  stop) do_stop ;;
  env) [ -s "$DIR/env" ] || die "no $DIR/env: run '$0 start'"; cat "$DIR/env" ;;
  status) if all_recorded_alive && answering; then echo "running: $ENDPOINT"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
