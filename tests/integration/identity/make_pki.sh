#!/usr/bin/env bash
# Test PKI for the Identity interop tests (issue 7), made with the openssl CLI only:
#   make_pki.sh DIR
# DIR/ca.pem, ca.key          test CA (RSA-2048, self-signed, CA:TRUE)
# DIR/example.com.{key,pem,der}      RSA-2048 domain cert, SAN DNS:example.com   (RFC 4474 signer)
# DIR/other.example.{key,pem,der}    RSA-2048 domain cert, SAN DNS:other.example (the "437" case)
# DIR/example.com-p256.{key,pem,der} P-256 domain cert, SAN DNS:example.com      (RFC 8224 ES256)
#   (+ example.com-p256.pub.pem: the public key alone, for secsipidx -p)
# DIR/localhost.{key,pem}     HTTPS server cert, SAN DNS:localhost, IP:127.0.0.1, signed by the CA
# DIR/www/                    DER copies served by nginx (nginx.conf beside this script):
#   example.com.der, other.example.der, example.com-p256.der, example.com-p256.pem
# Keys are PKCS#8 PEM, unencrypted. Certificates are valid from now for 2 days (the CA 3 days):
# made afresh by every test run, never committed.
set -euo pipefail
dir=$1
mkdir -p "$dir/www"
cd "$dir"
q() { "$@" 2> /dev/null; }

q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3 \
  -subj "/O=sipcred test/CN=sipcred test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

leaf() {  # name, key-args, san
  local name=$1 keyargs=$2 san=$3 cn=${3#*:}
  cn=${cn%%,*}
  # shellcheck disable=SC2086
  q openssl genpkey $keyargs -out "$name.key"
  q openssl req -new -key "$name.key" -subj "/O=sipcred test/CN=$cn" -out "$name.csr"
  printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature%s\n' \
    "$san" "$4" > "$name.ext"
  q openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile "$name.ext" -out "$name.pem"
  openssl x509 -in "$name.pem" -outform DER -out "$name.der"
  rm -f "$name.csr" "$name.ext"
}
leaf example.com "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" "DNS:example.com" ""
leaf other.example "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" "DNS:other.example" ""
leaf example.com-p256 "-algorithm EC -pkeyopt ec_paramgen_curve:P-256" "DNS:example.com" ""
leaf localhost "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" "DNS:localhost,IP:127.0.0.1" \
  ",keyEncipherment
extendedKeyUsage=serverAuth"
openssl pkey -in example.com-p256.key -pubout -out example.com-p256.pub.pem
cp example.com.der other.example.der example.com-p256.der example.com-p256.pem www/
