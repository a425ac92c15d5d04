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
#   LAKEPACK_S3_TLS_PORT  the TLS front's port              default PORT+3
#   LAKEPACK_S3_STS     1: radosgw also serves STS (Ceph only, see below)   default 0
#
# `start` is idempotent: a server that is already running from DIR and answering is reused.
# It creates the S3 user testkey/testsecret and the bucket lakepack-test, then writes DIR/env
# (source it to point clients at the server).  `stop` kills only the PIDs `start` recorded in
# DIR/pids (and DIR/tls.pid) and removes DIR.  `env` prints DIR/env.
#
# Besides plain HTTP on PORT, `start` puts a TLS front on TLS_PORT (stunnel, forwarding to PORT)
# with a certificate for "localhost" signed by a test CA it makes in DIR/tls (plus a second,
# unrelated CA for tests of a wrong CA); DIR/env exports LAKEPACK_S3_TLS_ENDPOINT,
# LAKEPACK_S3_CA_BUNDLE and LAKEPACK_S3_OTHER_CA_BUNDLE.  The front is its own process, so it is
# also added (and restarted if it died) beside a reused server.
# With LAKEPACK_S3_STS=1 a Ceph server serves STS (AssumeRole): radosgw runs with
# rgw_s3_auth_use_sts, and a role that the test user may assume, with s3:* on the test bucket, is
# created; DIR/env also exports LAKEPACK_S3_STS_ENDPOINT (this server) and LAKEPACK_S3_STS_ROLE_ARN.
# Opt-in because it changes the server's answers: with STS on, radosgw answers a wrong secret key
# with AccessDenied instead of SignatureDoesNotMatch, which the S3 tests check.  scripts/test.sh
# starts a second, STS-enabled server for the credential tests.
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
TLS_PORT=${LAKEPACK_S3_TLS_PORT:-$((PORT + 3))}
# The name the test certificate is for: "localhost" (which resolves to loopback without DNS), so
# that https://127.0.0.1:TLS_PORT is the same server under a name the certificate does not cover.
TLS_ENDPOINT=https://localhost:$TLS_PORT
# STS: radosgw encrypts session tokens with this key, which must be 16 bytes.  A test value.
STS_KEY=lakepackstskey16
STS=${LAKEPACK_S3_STS:-0}
ROLE=lakepack-test-role

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
  stop_tls
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
  if [ "$STS" = 1 ]; then
    # STS (AssumeRole) for the credential tests; see provision_sts.
    printf '%s\n' "rgw_s3_auth_use_sts = true" "rgw_sts_key = $STS_KEY" >>"$conf"
  fi
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

# ---- the TLS front ------------------------------------------------------------------------------
tls_answering() { curl -s -o /dev/null --max-time 2 --cacert "$DIR/tls/ca.pem" "$TLS_ENDPOINT/"; }

stop_tls() {
  [ -s "$DIR/tls.pid" ] || return 0
  local pid
  pid=$(cat "$DIR/tls.pid")
  if pid_alive "$pid"; then kill "$pid" 2>/dev/null || true; fi
  for _ in $(seq 1 25); do pid_alive "$pid" || break; sleep 0.2; done
  rm -f "$DIR/tls.pid"
}

# make_ca NAME: DIR/tls/NAME.pem and NAME.key, a self-signed test CA (EC P-256: made in ms).
make_ca() {
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 3650 \
    -subj "/CN=lakepack test CA $1" -keyout "$DIR/tls/$1.key" -out "$DIR/tls/$1.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>>"$DIR/log/setup.log" || die "making the test CA $1 failed; see $DIR/log/setup.log"
}

# Starts stunnel on TLS_PORT in front of PORT (idempotent), with a certificate for localhost
# signed by the test CA.
start_tls() {
  command -v stunnel4 >/dev/null || die "missing stunnel4: run scripts/setup.sh first"
  if [ -s "$DIR/tls.pid" ] && pid_alive "$(cat "$DIR/tls.pid")" && tls_answering; then return 0; fi
  stop_tls
  mkdir -p "$DIR/tls" "$DIR/log" "$DIR/run"
  if [ ! -s "$DIR/tls/server.pem" ]; then
    make_ca ca
    make_ca other-ca
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=localhost" \
      -keyout "$DIR/tls/server.key" -out "$DIR/tls/server.csr" 2>>"$DIR/log/setup.log"
    printf '%s\n' subjectAltName=DNS:localhost basicConstraints=CA:FALSE \
      extendedKeyUsage=serverAuth >"$DIR/tls/server.ext"
    openssl x509 -req -in "$DIR/tls/server.csr" -CA "$DIR/tls/ca.pem" -CAkey "$DIR/tls/ca.key" \
      -CAcreateserial -days 3650 -sha256 -extfile "$DIR/tls/server.ext" \
      -out "$DIR/tls/server.pem" 2>>"$DIR/log/setup.log" ||
      die "signing the test certificate failed; see $DIR/log/setup.log"
  fi
  cat >"$DIR/tls/stunnel.conf" <<CONF
foreground = no
pid = $DIR/run/stunnel.pid
output = $DIR/log/stunnel.log
[s3]
accept = 127.0.0.1:$TLS_PORT
connect = 127.0.0.1:$PORT
cert = $DIR/tls/server.pem
key = $DIR/tls/server.key
CONF
  rm -f "$DIR/run/stunnel.pid"
  stunnel4 "$DIR/tls/stunnel.conf" 2>>"$DIR/log/setup.log" ||
    die "stunnel failed to start; see $DIR/log/stunnel.log"
  for _ in $(seq 1 50); do [ -s "$DIR/run/stunnel.pid" ] && break; sleep 0.1; done
  [ -s "$DIR/run/stunnel.pid" ] || die "stunnel wrote no pid file; see $DIR/log/stunnel.log"
  tr -d ' ' <"$DIR/run/stunnel.pid" >"$DIR/tls.pid"
  for _ in $(seq 1 50); do tls_answering && return 0; sleep 0.1; done
  die "the TLS front did not answer on $TLS_ENDPOINT; see $DIR/log/stunnel.log"
}

# ---- STS ----------------------------------------------------------------------------------------
# A role the test user may assume, allowed s3:* on the test bucket (Ceph, when its radosgw runs
# with STS).  Prints the role's ARN.
provision_sts() {
  local admin=(radosgw-admin -c "$DIR/ceph.conf" -n client.admin) trust perms
  if ! "${admin[@]}" role get --role-name="$ROLE" >"$DIR/log/role.json" 2>>"$DIR/log/setup.log"; then
    trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/test"]},"Action":["sts:AssumeRole"]}]}'
    "${admin[@]}" role create --role-name="$ROLE" --assume-role-policy-doc="$trust" \
      >"$DIR/log/role.json" 2>>"$DIR/log/setup.log" || die "radosgw-admin role create failed"
    perms='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::'$BUCKET'","arn:aws:s3:::'$BUCKET'/*"]}]}'
    "${admin[@]}" role-policy put --role-name="$ROLE" --policy-name=lakepack-test-bucket \
      --policy-doc="$perms" >>"$DIR/log/setup.log" 2>&1 || die "radosgw-admin role-policy put failed"
  fi
  sed -n 's/.*"[Aa]rn": *"\([^"]*\)".*/\1/p' "$DIR/log/role.json" | head -n 1
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
  start_tls
  local sts=""
  if [ "$KIND" = ceph ] && grep -q '^rgw_s3_auth_use_sts = true' "$DIR/ceph.conf"; then
    sts=" LAKEPACK_S3_STS_ENDPOINT=$ENDPOINT LAKEPACK_S3_STS_ROLE_ARN=$(provision_sts)"
  fi
  cat >"$DIR/env" <<EOF
export AWS_ENDPOINT_URL=$ENDPOINT AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true LAKEPACK_TEST_S3=1 LAKEPACK_TEST_BUCKET=$BUCKET LAKEPACK_S3_SERVER_KIND=$KIND
export LAKEPACK_S3_TLS_ENDPOINT=$TLS_ENDPOINT LAKEPACK_S3_CA_BUNDLE=$DIR/tls/ca.pem LAKEPACK_S3_OTHER_CA_BUNDLE=$DIR/tls/other-ca.pem$sts
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
