#!/usr/bin/env bash
# Makes the fixtures of this folder with the openssl CLI only (OpenSSL 3.0). Run from this folder;
# the results are committed, so the tests do not depend on running it again.
set -euo pipefail
vec=../rfc2876/kea.vec
field() { grep -m1 "^$1 = " "$vec" | sed 's/^.* = //'; }  # first domain/key set of kea.vec

# Issuers: an RSA and a DSA certification authority (self-signed, CA:TRUE, with an SKI).
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca_rsa.key.pem -subj "/CN=sipcred test RSA CA" \
  -days 3650 -outform DER -out ca_rsa.crt.der -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 \
  -pkeyopt dsa_paramgen_q_bits:256 -out ca_dsa.params.pem 2>/dev/null
openssl genpkey -paramfile ca_dsa.params.pem -out ca_dsa.key.pem
openssl req -x509 -new -key ca_dsa.key.pem -subj "/CN=sipcred test DSA CA" -sha256 -days 3650 \
  -outform DER -out ca_dsa.crt.der -addext "keyUsage=critical,keyCertSign,cRLSign"
rm ca_dsa.params.pem

# A KEA end-entity certificate built field by field with `openssl asn1parse -genconf` (not with
# sipcred), for the public value ya and the domain identifier of kea.vec's first block, signed by
# the RSA CA with `openssl dgst`. RFC 2528 §3: SPKI { { id-keyExchangeAlgorithm, OCTET STRING
# domain id }, BIT STRING y }.
y=$(field ya)
did=$(field domain_id)
ski=$(echo -n "$y" | xxd -r -p | openssl dgst -sha1 -r | cut -d' ' -f1)
cat > kea_tbs.cnf <<CNF
asn1=SEQUENCE:tbs
[tbs]
version=EXPLICIT:0,INTEGER:2
serial=INTEGER:0x2876
sigalg=SEQUENCE:sigalg
issuer=SEQUENCE:issuer_name
validity=SEQUENCE:validity
subject=SEQUENCE:subject_name
spki=SEQUENCE:spki
ext=EXPLICIT:3,SEQUENCE:exts
[sigalg]
oid=OID:sha256WithRSAEncryption
null=NULL
[issuer_name]
rdn=SET:issuer_rdn
[issuer_rdn]
cn=SEQUENCE:issuer_cn
[issuer_cn]
oid=OID:commonName
val=UTF8:sipcred test RSA CA
[validity]
nb=UTCTIME:260101000000Z
na=UTCTIME:360101000000Z
[subject_name]
rdn=SET:subject_rdn
[subject_rdn]
cn=SEQUENCE:subject_cn
[subject_cn]
oid=OID:commonName
val=UTF8:alice KEA (openssl genconf)
[spki]
alg=SEQUENCE:kea_alg
key=FORMAT:HEX,BITSTRING:$y
[kea_alg]
oid=OID:2.16.840.1.101.2.1.1.22
params=FORMAT:HEX,OCTETSTRING:$did
[exts]
ski=SEQUENCE:ext_ski
ku=SEQUENCE:ext_ku
[ext_ski]
oid=OID:subjectKeyIdentifier
val=OCTWRAP,FORMAT:HEX,OCTETSTRING:$ski
[ext_ku]
oid=OID:keyUsage
crit=BOOLEAN:true
val=OCTWRAP,FORMAT:BITLIST,BITSTRING:4
CNF
openssl asn1parse -genconf kea_tbs.cnf -out kea_tbs.der -noout
openssl dgst -sha256 -sign ca_rsa.key.pem -out kea_sig.bin kea_tbs.der
cat > kea_cert.cnf <<CNF
asn1=SEQUENCE:cert
[cert]
sigalg=SEQUENCE:sigalg
sig=FORMAT:HEX,BITSTRING:$(xxd -p kea_sig.bin | tr -d '\n')
[sigalg]
oid=OID:sha256WithRSAEncryption
null=NULL
CNF
# genconf cannot embed raw DER, so splice the TBSCertificate in front of the other two fields.
openssl asn1parse -genconf kea_cert.cnf -out kea_tail.der -noout
python3 - <<'PY'
tbs = open("kea_tbs.der", "rb").read()
tail = open("kea_tail.der", "rb").read()
# kea_tail.der is SEQUENCE { sigalg, sig }: drop its header, keep its contents.
n = tail[1]
body = tail[2 + (n & 0x7f):] if n & 0x80 else tail[2:]
content = tbs + body
length = len(content)
hdr = bytes([0x30, 0x82, length >> 8, length & 0xff])
open("kea_alice_openssl.crt.der", "wb").write(hdr + content)
PY
rm -f kea_tbs.cnf kea_cert.cnf kea_tail.der kea_sig.bin kea_tbs.der
openssl asn1parse -inform DER -in kea_alice_openssl.crt.der -i > /dev/null && echo "fixtures made"
