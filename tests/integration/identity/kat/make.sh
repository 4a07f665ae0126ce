#!/usr/bin/env bash
# Fixed known-answer vectors for unit tests of the RFC 4474 signer (issue 7), made by the
# independent tools of the folder above (openssl CLI, sipmsg.py): no sipcred code involved.
#   bash tests/integration/identity/kat/make.sh          (rewrites this folder's vectors)
# With keep-keys (default when key.pem exists) the RSA key is reused, so the vectors only change
# if the messages or the tools change. See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
id=$(cd "$here/.." && pwd)
py=/usr/bin/python3
[ -x "$py" ] || py=python3
cd "$here"
if [ ! -e key.pem ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2> /dev/null
  openssl req -x509 -new -key key.pem -days 36500 -subj "/O=sipcred test/CN=example.com" \
    -addext "subjectAltName=DNS:example.com" -addext "basicConstraints=critical,CA:FALSE" \
    -out cert.pem 2> /dev/null
  openssl x509 -in cert.pem -outform DER -out cert.der
fi
if [ ! -e p256-key.pem ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256-key.pem 2> /dev/null
  openssl req -x509 -new -key p256-key.pem -days 36500 -subj "/O=sipcred test/CN=example.com" \
    -addext "subjectAltName=DNS:example.com" -addext "basicConstraints=critical,CA:FALSE" \
    -out p256-cert.pem 2> /dev/null
fi
url=https://example.com/cert/example.com.der
date="Sun, 22 Nov 2026 10:00:00 GMT"
: > vectors.tsv
printf 'message\talg\tdate_added\tidentity\n' >> vectors.tsv
for m in "$id"/msgs/*.sip; do
  name=$(basename "$m" .sip)
  "$py" "$id/sipmsg.py" digest-string "$m" --date "$date" > "$name.digest-string"
  for alg in rsa-sha1 rsa-sha256; do
    bash "$id/openssl_sign_4474.sh" key.pem "$m" "$url" "$alg" "$date" > "$name.$alg.signed.sip"
    ident=$("$py" "$id/sipmsg.py" header "$name.$alg.signed.sip" Identity)
    added=no
    "$py" "$id/sipmsg.py" header "$m" Date > /dev/null || added=yes
    printf '%s\t%s\t%s\t%s\n' "$name" "$alg" "$added" "$ident" >> vectors.tsv
  done
done

# RFC 8224 / RFC 8225: ES256 signatures are randomized, so these are verify-only vectors made by
# secsipidx (libsecsipid 1.2.0) at iat 2026-11-22 10:00:00 UTC: the plain token with orig/dest
# URIs, and secsipidx's SHAKEN form with orig.tn/dest.tn.
iat=$(date -u -d "2026-11-22 10:00:00" +%s)
x5u=https://example.com/stir/example.com-p256.pem
secsipidx -s -header "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"$x5u\"}" \
  -payload "{\"dest\":{\"uri\":[\"sip:bob@example.net\"]},\"iat\":$iat,\"orig\":{\"uri\":\"sip:alice@example.com\"}}" \
  -k p256-key.pem | tr -d '\n' > passport-uri.token
printf ';info=<%s>;alg=ES256\n' "$x5u" >> passport-uri.token
# -sign honours -iat (-sign-full/-S always puts the current time); the parameters are those
# -sign-full appends.
secsipidx -sign -iat "$iat" -orig-tn 12025550100 -dest-tn 12025550199 -attest A \
  -orig-id 00000000-0000-4000-8000-000000000000 -x5u "$x5u" -k p256-key.pem | tr -d '\n' > passport-shaken.token
printf ';info=<%s>;alg=ES256;ppt=shaken\n' "$x5u" >> passport-shaken.token
