#!/usr/bin/env bash
# SIP Identity (issue 7) against signers and verifiers we did not write: known answers from an
# openssl-CLI signer, Kamailio's auth_identity (RFC 4474) as verifier and as signer, secsipidx
# (libsecsipid, RFC 8224 PASSporT ES256), and a python3+openssl verifier. All servers (nginx
# serving the certificates over HTTPS, Kamailio, a UDP capture) run on loopback and are stopped
# on exit. Test PKI made afresh by tests/integration/identity/make_pki.sh.
#   identity_interop.sh PATH_TO_SIPCRED
# Sections:
#   peers  (always) openssl signer -> Kamailio verifier (200, 438 body, 438 To, 403 stale Date,
#          437 other domain on a fresh URL, 436 unreachable, 428 none, 403 replay, and the cached
#          certificate quirk); Kamailio signer -> python verifier; secsipidx token -> python
#          verifier and secsipidx check; Kamailio's secsipid module signing (plain and SHAKEN)
#          -> python verifier, checking secsipidx tokens, refusing a ppt other than shaken.
#   a  KAT: `sipcred identity sign` Identity == openssl signer's (rsa-sha1, rsa-sha256, every
#      message file), and its whole output verifies in the python verifier.
#   b  sipcred-signed NOTIFY -> Kamailio verifier: 200; tampered body, changed To, stale Date,
#      other-domain certificate on a fresh URL -> 438, 438, 403, 437.
#   c  Kamailio-signed requests -> `sipcred identity verify`: valid; tampered -> 438.
#   d  secsipidx-signed token -> `sipcred identity verify`: valid; `sipcred identity sign
#      --scheme rfc8224` (plain RFC 8225 token) -> secsipidx check ok, Kamailio secsipid ok,
#      python verifier ok; Kamailio-secsipid-signed tokens (URI and SHAKEN tn) -> sipcred valid.
#   e  `sipcred identity verify` refusals: 428, 436, 437, 403 (and 438 in c).
# REQ-PART ID-1, ID-2
set -euo pipefail
sipcred=$1
here=$(cd "$(dirname "$0")" && pwd)
id="$here/identity"
idl_work=$(mktemp -d)
work=$idl_work
. "$id/lib.sh"
trap 'idl_cleanup; rm -rf "$work"' EXIT

failures=0
passed=0
check() {  # name, command...
  local name=$1
  shift
  local t0=$SECONDS
  if "$@" > "$work/$name.out" 2>&1; then
    echo "ok   $name $((SECONDS - t0))s"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    sed 's/^/     /' "$work/$name.out"
    failures=$((failures + 1))
  fi
}
# The line a command prints must start with the expected words (a code or "valid ...").
expect_line() {  # want, command...
  local want=$1 out
  shift
  out=$("$@" 2>&1 | head -1) || true
  echo "got: $out"
  echo "want: $want"
  case $out in "$want"*) return 0 ;; esac
  return 1
}

if ! "$sipcred" --help 2> /dev/null | grep -qE '^ +identity( |$)'; then
  echo "FAIL: $sipcred has no 'identity' command" >&2
  exit 1
fi

pki="$work/pki"
bash "$id/make_pki.sh" "$pki"
idl_nginx_start "$pki" "$work/nginx"
base="https://127.0.0.1:$nginx_port"
ca="$pki/ca.pem"
fixed_date="Sun, 22 Nov 2026 10:00:00 GMT"
old_date=$(date -u -d '-2 hours' '+%a, %d %b %Y %H:%M:%S GMT')
future_date=$(date -u -d '+2 hours' '+%a, %d %b %Y %H:%M:%S GMT')
# Each helper writes a new file in $work and prints its path (they run in $(...) subshells, so
# the names come from mktemp, not from a counter).
newfile() { mktemp -p "$work" "$1.XXXXXX"; }
fresh() {  # message file [edit args] -> copy with the current Date and a new Call-ID
  local f
  f=$(newfile fresh)
  "$py" "$id/sipmsg.py" edit --fresh "$@" > "$f"
  echo "$f"
}
ossl_sign() {  # key msg url [alg] [date] -> signed by the openssl signer
  local f
  f=$(newfile ossl)
  bash "$id/openssl_sign_4474.sh" "$@" > "$f"
  echo "$f"
}
edit() {  # msg edit-args... -> edited copy
  local m=$1 f
  shift
  f=$(newfile edit)
  "$py" "$id/sipmsg.py" edit "$m" "$@" > "$f"
  echo "$f"
}
pyverify() { "$py" "$id/verify_identity.py" "$@"; }

# --- the committed known-answer vectors still come out of the openssl signer --------------------
kat_current() {
  local m alg ident got
  while IFS=$'\t' read -r m alg _ ident; do
    [ "$m" = message ] && continue
    got=$(bash "$id/openssl_sign_4474.sh" "$id/kat/key.pem" "$id/msgs/$m.sip" \
      https://example.com/cert/example.com.der "$alg" "$fixed_date" | "$py" "$id/sipmsg.py" header - Identity)
    [ "$got" = "$ident" ] || { echo "$m $alg: $got != $ident"; return 1; }
  done < "$id/kat/vectors.tsv"
}
check peers-kat-vectors-current kat_current

# --- Kamailio auth_identity as the verifier ---------------------------------------------------
kv=$(idl_free_port)
idl_kamailio_start kam-verify "$id/kamailio/verify.cfg" "$kv" -A "CAINFO=\"$ca\""
kam() { "$py" "$id/send_udp.py" "$1" 127.0.0.1:"$kv"; }
kam_expect() { expect_line "SIP/2.0 $1" kam "$2"; }

notify=$(fresh "$id/msgs/notify_cert.sip")
good=$(ossl_sign "$pki/example.com.key" "$notify" "$base/p1/example.com.der")
check peers-kamailio-accepts-openssl-signed kam_expect 200 "$good"
check peers-kamailio-replay-403 kam_expect 403 "$good"
check peers-kamailio-tampered-body-438 kam_expect 438 \
  "$(edit "$(ossl_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/p1/example.com.der")" --tamper-body)"
s=$(ossl_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/p1/example.com.der")
check peers-kamailio-changed-to-438 kam_expect 438 "$(edit "$s" --set 'To: <sip:mallory@example.net>;tag=w42')"
s=$(ossl_sign "$pki/example.com.key" "$(edit "$(fresh "$id/msgs/notify_cert.sip")" --date "$old_date")" \
  "$base/p1/example.com.der")
check peers-kamailio-stale-date-403 kam_expect 403 "$s"
s=$(ossl_sign "$pki/other.example.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/p2/other.example.der")
check peers-kamailio-other-domain-fresh-url-437 kam_expect 437 "$s"
check peers-kamailio-unreachable-url-436 kam_expect 436 \
  "$(ossl_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" \
     "https://127.0.0.1:$(idl_free_port)/example.com.der")"
check peers-kamailio-no-identity-428 kam_expect 428 "$(fresh "$id/msgs/notify_cert.sip")"
# Its get_certificate() refuses any alg but rsa-sha1 ("Unsupported Identity-Info algorithm"): 436.
check peers-kamailio-rsa-sha256-436 kam_expect 436 \
  "$(ossl_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/p1/example.com.der" rsa-sha256)"
# Quirk: a Date two hours ahead passes vrfy_check_date() (only the past is checked).
check peers-kamailio-quirk-future-date-200 kam_expect 200 \
  "$(ossl_sign "$pki/example.com.key" "$(edit "$(fresh "$id/msgs/notify_cert.sip")" --date "$future_date")" \
     "$base/p1/example.com.der")"
# The quirk (docs/identity-interop.md): the From host is compared with the certificate only when
# it is downloaded. A request from other.example puts its certificate in the cache at URL p3;
# a request from example.com signed with the same other.example key and URL is then accepted.
s=$(ossl_sign "$pki/other.example.key" \
  "$(edit "$(fresh "$id/msgs/notify_cert.sip")" --set 'From: <sip:alice@other.example>;tag=n7a1')" \
  "$base/p3/other.example.der")
check peers-kamailio-other-example-own-domain-200 kam_expect 200 "$s"
s=$(ossl_sign "$pki/other.example.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/p3/other.example.der")
check peers-kamailio-quirk-cached-cert-any-from-200 kam_expect 200 "$s"

# --- Kamailio auth_identity as the signer -----------------------------------------------------
ks=$(idl_free_port)
cap=$(idl_free_port)
idl_capture_start "$cap" "$work/kam-signed.sip" 3
idl_kamailio_start kam-sign "$id/kamailio/sign.cfg" "$ks" -A "KEY=\"$pki/example.com.key\"" \
  -A "CERT=\"$pki/example.com.pem\"" -A "CERT_URL=\"$base/kam/example.com.der\"" \
  -A "NEXT_HOP=\"sip:127.0.0.1:$cap\""
kam_sign() { "$py" "$id/send_udp.py" "$1" 127.0.0.1:"$ks"; }
check peers-kamailio-signs-notify kam_sign "$(fresh "$id/msgs/notify_cert.sip")"
check peers-kamailio-signs-message-nocontact kam_sign "$(fresh "$id/msgs/message_nocontact.sip")"
check peers-kamailio-signs-subscribe-adds-date kam_sign "$(fresh "$id/msgs/subscribe.sip" --del Date)"
kam_signed=("$work/kam-signed.sip" "$work/kam-signed.sip.2" "$work/kam-signed.sip.3")
for i in 0 1 2; do
  check "peers-python-verifies-kamailio-signed-$i" expect_line "valid rfc4474 sip:alice@example.com" \
    pyverify "${kam_signed[$i]}" --ca "$ca"
done
check peers-python-refuses-tampered-kamailio-signed expect_line 438 \
  pyverify "$(edit "${kam_signed[0]}" --tamper-body)" --ca "$ca"
# The captured request carries the signer's Via on top: answered to us instead (RFC 3581 rport).
check peers-kamailio-verifies-kamailio-signed kam_expect 200 \
  "$(edit "${kam_signed[1]}" --del Via --set 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-resend;rport')"

# --- secsipidx (RFC 8224 / RFC 8225, ES256) -----------------------------------------------------
pem_url="$base/stir/example.com-p256.pem"
passport() {  # iat -> a PASSporT with orig/dest as URIs (RFC 8225 §5.2.1), x5u = pem_url
  secsipidx -s -header "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"$pem_url\"}" \
    -payload "{\"dest\":{\"uri\":[\"sip:bob@example.net\"]},\"iat\":$1,\"orig\":{\"uri\":\"sip:alice@example.com\"}}" \
    -k "$pki/example.com-p256.key"
}
sx_token=$(passport "$(date +%s)")
sx_msg=$(edit "$(fresh "$id/msgs/message_nocontact.sip")" \
  --set "Identity: $sx_token;info=<$pem_url>;alg=ES256")
check peers-python-verifies-secsipidx-token expect_line "valid rfc8224 sip:alice@example.com" \
  pyverify "$sx_msg" --ca "$ca"
sx_check() {  # identity-value [pubkey-or-url]
  SSL_CERT_FILE=$ca secsipidx -c -identity "$1" -p "${2:-$pki/example.com-p256.pub.pem}" -expire 60
}
check peers-secsipidx-checks-own-token-by-url sx_check "$sx_token;info=<$pem_url>;alg=ES256" "$pem_url"
check peers-python-refuses-tampered-secsipidx expect_line 438 \
  pyverify "$(edit "$sx_msg" --set 'From: <sip:eve@example.com>;tag=m1')" --ca "$ca"

# --- Kamailio's secsipid module (libsecsipid in Kamailio) -----------------------------------------
# Two instances: "sx" signs plain RFC 8225 tokens (orig/dest URIs, secsipid_sign) and checks with
# the public key file; "sxs" signs the module's own SHAKEN form (secsipid_add_identity: orig.tn,
# dest.tn, attest, origid, ppt=shaken) and checks by downloading info= (SSL_CERT_FILE = test CA).
sxp=$(idl_free_port)
sxsp=$(idl_free_port)
sxcap=$(idl_free_port)
idl_capture_start "$sxcap" "$work/sx-signed.sip" 2
sx_args=(-A "KEY=\"$pki/example.com-p256.key\"" -A "X5U=\"$pem_url\"" -A "NEXT_HOP=\"sip:127.0.0.1:$sxcap\"")
idl_kamailio_start kam-secsipid "$id/kamailio/secsipid.cfg" "$sxp" "${sx_args[@]}" \
  -A "PUBKEY=\"$pki/example.com-p256.pub.pem\""
SSL_CERT_FILE=$ca idl_kamailio_start kam-secsipid-shaken "$id/kamailio/secsipid.cfg" "$sxsp" "${sx_args[@]}" \
  -A 'PUBKEY=""' -A SHAKEN
sx_kam() { "$py" "$id/send_udp.py" "$1" 127.0.0.1:"$2"; }
check peers-kamailio-secsipid-signs-uri sx_kam "$(fresh "$id/msgs/message_nocontact.sip")" "$sxp"
check peers-kamailio-secsipid-signs-shaken sx_kam "$(fresh "$id/msgs/message_tel.sip")" "$sxsp"
sx_signed=("$work/sx-signed.sip" "$work/sx-signed.sip.2")
check peers-python-verifies-kamailio-secsipid-uri expect_line "valid rfc8224 sip:alice@example.com" \
  pyverify "${sx_signed[0]}" --ca "$ca"
check peers-python-verifies-kamailio-secsipid-shaken expect_line "valid rfc8224 sip:+12025550100@example.com" \
  pyverify "${sx_signed[1]}" --ca "$ca"
check peers-kamailio-secsipid-checks-secsipidx-token-pubkey expect_line "SIP/2.0 200" sx_kam "$sx_msg" "$sxp"
check peers-kamailio-secsipid-checks-secsipidx-token-url expect_line "SIP/2.0 200" sx_kam "$sx_msg" "$sxsp"
# libsecsipid refuses any ppt other than "shaken" (docs/identity-interop.md): our body-claim form
# cannot verify there, only the plain one.
check peers-kamailio-secsipid-refuses-other-ppt expect_line "SIP/2.0 438" \
  sx_kam "$(edit "$sx_msg" --set "Identity: $sx_token;info=<$pem_url>;alg=ES256;ppt=sipcred")" "$sxp"

# --- a: known answers ---------------------------------------------------------------------------
{
  kat() {  # msg alg
    local url="$base/kat/example.com.der" ours theirs
    "$sipcred" identity sign --key "$pki/example.com.key" --info "$url" --scheme rfc4474 --alg "$2" \
      --date "$fixed_date" --in "$1" > "$work/kat-ours.sip"
    bash "$id/openssl_sign_4474.sh" "$pki/example.com.key" "$1" "$url" "$2" "$fixed_date" > "$work/kat-theirs.sip"
    for h in Identity Identity-Info Date; do
      ours=$("$py" "$id/sipmsg.py" header "$work/kat-ours.sip" "$h")
      theirs=$("$py" "$id/sipmsg.py" header "$work/kat-theirs.sip" "$h")
      echo "$h ours:   $ours"
      echo "$h theirs: $theirs"
      [ "$ours" = "$theirs" ] || return 1
    done
    # The bytes on the wire are the ones signed: the whole output verifies independently.
    pyverify "$work/kat-ours.sip" --cert "$pki/example.com.der" --window 100000000
  }
  for m in "$id"/msgs/*.sip; do
    for alg in rsa-sha1 rsa-sha256; do
      check "a-kat-$(basename "$m" .sip)-$alg" kat "$m" "$alg"
    done
  done
}

# --- b: sipcred-signed requests to Kamailio's verifier ------------------------------------------
{
  ours_sign() {  # key msg url [extra args] -> signed by sipcred
    local key=$1 m=$2 url=$3 f
    shift 3
    f=$(newfile ours)
    "$sipcred" identity sign --key "$key" --info "$url" --in "$m" "$@" > "$f"
    echo "$f"
  }
  s=$(ours_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/b1/example.com.der")
  check b-kamailio-accepts-sipcred-notify kam_expect 200 "$s"
  check b-kamailio-accepts-sipcred-notify-added-date kam_expect 200 \
    "$(ours_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_nodate.sip" --del Date)" "$base/b1/example.com.der")"
  check b-kamailio-tampered-body-438 kam_expect 438 \
    "$(edit "$(ours_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/b1/example.com.der")" --tamper-body)"
  check b-kamailio-changed-to-438 kam_expect 438 \
    "$(edit "$(ours_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/b1/example.com.der")" \
       --set 'To: <sip:mallory@example.net>;tag=w42')"
  check b-kamailio-stale-date-403 kam_expect 403 \
    "$(ours_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip" --del Date)" "$base/b1/example.com.der" \
       --date "$old_date")"
  check b-kamailio-other-domain-fresh-url-437 kam_expect 437 \
    "$(ours_sign "$pki/other.example.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/b2/other.example.der")"
}

# --- c, d, e: sipcred identity verify -------------------------------------------------------------
{
  ours_verify() { "$sipcred" identity verify --ca "$ca" --allow-host 127.0.0.1 --in "$@"; }
  for i in 0 1 2; do
    check "c-sipcred-verifies-kamailio-signed-$i" expect_line "valid rfc4474 sip:alice@example.com" \
      ours_verify "${kam_signed[$i]}"
  done
  check c-sipcred-refuses-tampered-kamailio-signed-438 expect_line 438 \
    ours_verify "$(edit "${kam_signed[0]}" --tamper-body)"
  check c-sipcred-refuses-changed-to-kamailio-signed-438 expect_line 438 \
    ours_verify "$(edit "${kam_signed[0]}" --set 'To: <sip:mallory@example.net>;tag=w42')"

  check d-sipcred-verifies-secsipidx-token expect_line "valid rfc8224 sip:alice@example.com" \
    ours_verify "$(edit "$(fresh "$id/msgs/message_nocontact.sip")" \
      --set "Identity: $(passport "$(date +%s)");info=<$pem_url>;alg=ES256")"
  s=$("$sipcred" identity sign --scheme rfc8224 --key "$pki/example.com-p256.key" --info "$pem_url" \
    --in "$(fresh "$id/msgs/message_nocontact.sip")")
  printf '%s' "$s" > "$work/d-ours-8224.sip"
  ours_ident=$("$py" "$id/sipmsg.py" header "$work/d-ours-8224.sip" Identity)
  check d-secsipidx-checks-sipcred-token-pubkey sx_check "$ours_ident"
  check d-secsipidx-checks-sipcred-token-url sx_check "$ours_ident" "$pem_url"
  check d-kamailio-secsipid-checks-sipcred-token expect_line "SIP/2.0 200" sx_kam "$work/d-ours-8224.sip" "$sxp"
  check d-kamailio-secsipid-checks-sipcred-token-url expect_line "SIP/2.0 200" sx_kam "$work/d-ours-8224.sip" "$sxsp"
  # Signed by Kamailio's secsipid earlier in the run (a busy machine can take more than RFC 8224's
  # 60 s to get here): a window of an hour.
  check d-sipcred-verifies-kamailio-secsipid-uri expect_line "valid rfc8224 sip:alice@example.com" \
    ours_verify "${sx_signed[0]}" --window 3600
  # The SHAKEN form: orig.tn against the From user part (RFC 8224 §8.3).
  check d-sipcred-verifies-kamailio-secsipid-shaken expect_line "valid rfc8224 sip:+12025550100@example.com" \
    ours_verify "${sx_signed[1]}" --window 3600
  check d-python-verifies-sipcred-8224 expect_line "valid rfc8224 sip:alice@example.com" \
    pyverify "$work/d-ours-8224.sip" --ca "$ca"
  check d-sipcred-verifies-sipcred-8224 expect_line "valid rfc8224 sip:alice@example.com" \
    ours_verify "$work/d-ours-8224.sip"
  "$sipcred" identity sign --scheme rfc8224 --body-claim --key "$pki/example.com-p256.key" --info "$pem_url" \
    --in "$(fresh "$id/msgs/notify_cert.sip")" > "$work/d-ours-8224-body.sip"
  check d-sipcred-verifies-sipcred-8224-body-claim expect_line "valid rfc8224 sip:alice@example.com" \
    ours_verify "$work/d-ours-8224-body.sip"
  check d-sipcred-refuses-8224-body-claim-tampered-438 expect_line 438 \
    ours_verify "$(edit "$work/d-ours-8224-body.sip" --tamper-body)"

  check e-sipcred-no-identity-428 expect_line 428 ours_verify "$(fresh "$id/msgs/notify_cert.sip")"
  check e-sipcred-unreachable-url-436 expect_line 436 \
    ours_verify "$(ossl_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" \
      "https://127.0.0.1:$(idl_free_port)/example.com.der")"
  check e-sipcred-other-domain-437 expect_line 437 \
    ours_verify "$(ossl_sign "$pki/other.example.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/e/other.example.der")"
  # TRUST/ID-2: the From host is checked every time, also with the certificate cached (unlike
  # Kamailio): the same URL first for other.example's own From, then for example.com's.
  check e-sipcred-other-domain-cached-437 expect_line 437 \
    ours_verify "$(ossl_sign "$pki/other.example.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/p3/other.example.der")"
  check e-sipcred-stale-403 expect_line 403 \
    ours_verify "$(ossl_sign "$pki/example.com.key" "$(edit "$(fresh "$id/msgs/notify_cert.sip")" --date "$old_date")" \
      "$base/e/example.com.der")"
  # Freshness both ways (RFC 4474 §6 step 4 compares Date with local time), unlike Kamailio.
  check e-sipcred-future-date-403 expect_line 403 \
    ours_verify "$(ossl_sign "$pki/example.com.key" "$(edit "$(fresh "$id/msgs/notify_cert.sip")" --date "$future_date")" \
      "$base/e/example.com.der")"
  check e-sipcred-openssl-signed-valid expect_line "valid rfc4474 sip:alice@example.com" \
    ours_verify "$(ossl_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/e/example.com.der")"
  check e-sipcred-openssl-signed-sha256-valid expect_line "valid rfc4474 sip:alice@example.com" \
    ours_verify "$(ossl_sign "$pki/example.com.key" "$(fresh "$id/msgs/notify_cert.sip")" "$base/e/example.com.der" rsa-sha256)"
}

echo "$passed passed, $failures failed"
[ $failures -eq 0 ] || exit 1
