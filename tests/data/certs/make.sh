#!/usr/bin/env bash
# Regenerates the certificate and key vectors of this folder with the openssl CLI (OpenSSL 3.0).
# Each file is named for the verdict it must get; expectations.tsv says which, README.md why.
#
# OpenSSL 3.0 has no `req -x509 -not_before/-not_after` (3.4+) and no faketime is available, so
# every certificate is made by `openssl ca -selfsign` with explicit -startdate/-enddate (or -days),
# from a throw-away CA database in a temporary folder. Certificates are self-signed (issuer =
# subject, draft-ietf-sip-certs-06 §9.6, REQUIREMENTS PKI-1).
#
#   bash tests/data/certs/make.sh        (rewrites every vector; keys are new each run)
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/db"
touch "$work/db/index.txt"
cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = vectors
[vectors]
dir = $work/db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
policy = any_dn
unique_subject = no
copy_extensions = none
[any_dn]
organizationName = optional
commonName = optional
[req]
distinguished_name = empty_dn
[empty_dn]

# One extension section per vector. User certificates: PKI-1 (SubjectAltName URI, CA=false).
[good]
subjectAltName = URI:sip:alice@example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
[good_ec]
subjectAltName = URI:sip:alice@example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyAgreement
subjectKeyIdentifier = hash
[good_multi_uri]
subjectAltName = URI:sip:alice@example.com,URI:sips:alice@example.com,URI:im:alice@example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
[wrong_user]
subjectAltName = URI:sip:bob@example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
[wrong_host]
subjectAltName = URI:sip:alice@example.net
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
[subdomain_host]
subjectAltName = URI:sip:alice@sub.example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
[ca_true]
subjectAltName = URI:sip:alice@example.com
basicConstraints = critical,CA:TRUE
keyUsage = digitalSignature,keyEncipherment,keyCertSign
subjectKeyIdentifier = hash
[no_san]
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
[san_dns_only]
subjectAltName = DNS:example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
[multi_uri_one_foreign]
subjectAltName = URI:sip:alice@example.com,URI:sip:mallory@example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
[escaped_user]
subjectAltName = URI:sip:%61lice@EXAMPLE.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
subjectKeyIdentifier = hash

# TLS server certificates (HTTP-3, TLS-2).
[tls_example_com]
subjectAltName = DNS:example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
[tls_wildcard]
subjectAltName = DNS:*.example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
[tls_sub]
subjectAltName = DNS:sip.example.com
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
[tls_ip]
subjectAltName = IP:192.0.2.1
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
[tls_cn_only]
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
CNF

rsa_key() {  # file bits
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:"$2" -out "$1"
}

# cert <name> <key> <extension section> <subject> <digest> <validity...>
# validity: "-days N" or "-startdate YYYYMMDDHHMMSSZ -enddate YYYYMMDDHHMMSSZ".
cert() {
  local name=$1 key=$2 ext=$3 subject=$4 md=$5
  shift 5
  # A random positive serial of at most 16 octets (RFC 5280 §4.1.2.2 allows up to 20).
  printf '%02X%s\n' $((RANDOM % 127 + 1)) "$(openssl rand -hex 15 | tr a-f A-F)" >"$work/db/serial"
  openssl req -new -config "$work/ca.cnf" -key "$key" -subj "$subject" -"$md" -out "$work/$name.csr"
  openssl ca -batch -config "$work/ca.cnf" -selfsign -keyfile "$key" -in "$work/$name.csr" \
    -preserveDN -md "$md" -extfile "$work/ca.cnf" -extensions "$ext" -notext "$@" \
    -out "$work/$name.pem" 2>"$work/$name.log" || { cat "$work/$name.log" >&2; exit 1; }
  openssl x509 -in "$work/$name.pem" -outform DER -out "$out/$name.der"
}

ten_years=(-days 3650)  # good ones stay valid long enough for the tests to keep passing
expired=(-startdate 20100101000000Z -enddate 20110101000000Z)
not_yet=(-startdate 20900101000000Z -enddate 20910101000000Z)

rsa_key good.key.pem 2048
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve \
  -out good-ec.key.pem
rsa_key rsa1024.key.pem 1024
rsa_key mismatched-key.key.pem 2048
rsa_key tls.key.pem 2048

cert good good.key.pem good "/O=sipcred test vector/CN=good" sha256 "${ten_years[@]}"
cert good-ec good-ec.key.pem good_ec "/O=sipcred test vector/CN=good-ec" sha256 "${ten_years[@]}"
cert good-sha1 good.key.pem good "/O=sipcred test vector/CN=good-sha1" sha1 "${ten_years[@]}"
cert good-multi-uri good.key.pem good_multi_uri "/O=sipcred test vector/CN=good-multi-uri" sha256 \
  "${ten_years[@]}"
cert wrong-user good.key.pem wrong_user "/O=sipcred test vector/CN=wrong-user" sha256 "${ten_years[@]}"
cert wrong-host good.key.pem wrong_host "/O=sipcred test vector/CN=wrong-host" sha256 "${ten_years[@]}"
cert subdomain-host good.key.pem subdomain_host "/O=sipcred test vector/CN=subdomain-host" sha256 \
  "${ten_years[@]}"
cert expired good.key.pem good "/O=sipcred test vector/CN=expired" sha256 "${expired[@]}"
cert not-yet-valid good.key.pem good "/O=sipcred test vector/CN=not-yet-valid" sha256 "${not_yet[@]}"
cert ca-true good.key.pem ca_true "/O=sipcred test vector/CN=ca-true" sha256 "${ten_years[@]}"
# The subject names the AOR, so a checker that falls back to the CN would wrongly accept it.
cert no-san good.key.pem no_san "/O=sipcred test vector/CN=sip:alice@example.com" sha256 \
  "${ten_years[@]}"
cert san-dns-only good.key.pem san_dns_only "/O=sipcred test vector/CN=san-dns-only" sha256 \
  "${ten_years[@]}"
cert multi-uri-one-foreign good.key.pem multi_uri_one_foreign \
  "/O=sipcred test vector/CN=multi-uri-one-foreign" sha256 "${ten_years[@]}"
cert escaped-user good.key.pem escaped_user "/O=sipcred test vector/CN=escaped-user" sha256 \
  "${ten_years[@]}"
cert rsa1024 rsa1024.key.pem good "/O=sipcred test vector/CN=rsa1024" sha256 "${ten_years[@]}"

# TLS vectors: every subject CN is example.com, so only a checker that (wrongly) reads the CN
# when a SubjectAltName is present accepts tls-sub, tls-ip or tls-wildcard.
for v in example-com wildcard sub ip cn-only; do
  cert "tls-$v" tls.key.pem "tls_${v//-/_}" "/O=sipcred test vector/CN=example.com" sha256 \
    "${ten_years[@]}"
done

# PKCS#8 (PKI-4): plain PrivateKeyInfo, and EncryptedPrivateKeyInfo with PBES2 (RFC 8018) in the
# two profiles: our default AES-256-CBC + PBKDF2-HMAC-SHA256, and the seed's mandatory
# DES-EDE3-CBC + PBKDF2-HMAC-SHA1 (§9.5). All hold good.key.pem, the key of good.der.
printf '%s\n' 'sipcred vector passphrase' >passphrase.txt
openssl pkcs8 -topk8 -nocrypt -in good.key.pem -outform DER -out good.p8.der
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -passout file:passphrase.txt \
  -in good.key.pem -outform DER -out good-aes.p8.der
openssl pkcs8 -topk8 -v2 des3 -v2prf hmacWithSHA1 -passout file:passphrase.txt \
  -in good.key.pem -outform DER -out good-des3.p8.der

echo "made $(ls *.der | wc -l) DER files in $out"
