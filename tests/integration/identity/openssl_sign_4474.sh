#!/usr/bin/env bash
# An RFC 4474 authentication service made of the openssl CLI and sipmsg.py, independent of
# sipcred: the known-answer signer of the Identity tests (issue 7).
#   openssl_sign_4474.sh KEY MSG URL [ALG] [DATE]
#     KEY   the domain's RSA private key (PEM)
#     MSG   a SIP request (CRLF line ends)
#     URL   the certificate URL put into Identity-Info (RFC 4474 §6)
#     ALG   rsa-sha1 (default; RFC 4474 §6) or rsa-sha256 (RFC 4474 §6 names only rsa-sha1; the
#           sha256 variant signs the same digest-string with SHA-256)
#     DATE  the Date to add when MSG has none (default: now, RFC 1123, GMT)
# Prints the signed request on stdout: Date (if it was absent), Identity: "BASE64" and
# Identity-Info: <URL>;alg=ALG appended to the header. RSASSA-PKCS1-v1_5 is deterministic
# (RFC 8017 §8.2), so any correct signer gives byte-identical Identity values for the same key,
# digest-string and algorithm.
# RFC 4474 §9 digest-string: sipmsg.py digest-string; signature: openssl dgst -sign.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3  # Debian's; a pyenv shim in PATH costs ~1 s per start
[ -x "$py" ] || py=python3
key=$1 msg=$2 url=$3 alg=${4:-rsa-sha1} date=${5:-}
[ -n "$date" ] || date=$("$py" -c 'import email.utils,time; print(email.utils.formatdate(time.time(), usegmt=True))')
case $alg in
  rsa-sha1) md=-sha1 ;;
  rsa-sha256) md=-sha256 ;;
  *) echo "openssl_sign_4474: unknown alg $alg" >&2; exit 2 ;;
esac
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$py" "$here/sipmsg.py" digest-string "$msg" --date "$date" > "$tmp"
sig=$(openssl dgst "$md" -sign "$key" "$tmp" | base64 -w0)
"$py" "$here/sipmsg.py" add-identity "$msg" --identity "$sig" --info "$url" --alg "$alg" --date "$date"
