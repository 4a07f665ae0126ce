// KEA vector generator: Crypto++ only (Integer, a_exp_b_mod_c, SHA1, SKIPJACK), written from
// rfc2876-facts.md §2.3, §2.4 and §3. Usage: ./gen P Q G XA RA XB RB (hex).
#include <cryptopp/asn.h>
#include <cryptopp/integer.h>
#include <cryptopp/nbtheory.h>
#include <cryptopp/queue.h>
#include <cryptopp/sha.h>
#include <cryptopp/skipjack.h>
#include <cstdio>
#include <string>
#include <vector>
using namespace CryptoPP;
using V = std::vector<uint8_t>;
static Integer I(const char* h) {
  return Integer((std::string(h) + "h").c_str());
}
static V fixed(const Integer& n, size_t len) {
  V v(len);
  n.Encode(v.data(), len);
  return v;
}
static void pr(const char* name, const V& v) {
  printf("%s = ", name);
  for (auto b : v) printf("%02x", b);
  printf("\n");
}
static V tek(const V& w) {  // facts §2.4
  static const uint8_t pad[10] = {0x72, 0xf1, 0xa8, 0x7e, 0x92, 0x82, 0x41, 0x98, 0xab, 0x0b};
  uint8_t kv[10], u[8];
  for (int i = 0; i < 10; i++) kv[i] = w[i] ^ pad[i];
  SKIPJACK::Encryption e(kv, 10);
  e.ProcessBlock(&w[10], u);
  V t(10);
  t[8] = w[18] ^ u[0], t[9] = w[19] ^ u[1];
  e.ProcessBlock(u, t.data());
  return t;
}
int main(int argc, char** argv) {
  if (argc != 8) return 2;
  Integer p = I(argv[1]), q = I(argv[2]), g = I(argv[3]);
  Integer xa = I(argv[4]), ra = I(argv[5]), xb = I(argv[6]), rb = I(argv[7]);
  Integer ya = a_exp_b_mod_c(g, xa, p), Ra = a_exp_b_mod_c(g, ra, p);
  Integer yb = a_exp_b_mod_c(g, xb, p), Rb = a_exp_b_mod_c(g, rb, p);
  // Dss-Parms DER and the domain identifier (facts §3).
  ByteQueue q8;
  DERSequenceEncoder seq(q8);
  p.DEREncode(seq);
  q.DEREncode(seq);
  g.DEREncode(seq);
  seq.MessageEnd();
  V der(q8.MaxRetrievable());
  q8.Get(der.data(), der.size());
  V h(20);
  SHA1().CalculateDigest(h.data(), der.data(), der.size());
  V id(10);
  for (int i = 0; i < 10; i++) id[i] = h[i] ^ h[i + 10];
  pr("p", fixed(p, 128));
  pr("q", fixed(q, 20));
  pr("g", fixed(g, 128));
  pr("domain_id", id);
  pr("xa", fixed(xa, 20));
  pr("ya", fixed(ya, 128));
  pr("ra", fixed(ra, 20));
  pr("ra_pub", fixed(Ra, 128));
  pr("xb", fixed(xb, 20));
  pr("yb", fixed(yb, 128));
  pr("rb", fixed(rb, 20));
  pr("rb_pub", fixed(Rb, 128));
  // e-mail mode (facts §2.3): sender w = Yb^ra + Yb^xa; recipient w = Ra^xb + Ya^xb
  Integer ws = (a_exp_b_mod_c(yb, ra, p) + a_exp_b_mod_c(yb, xa, p)) % p;
  Integer wr = (a_exp_b_mod_c(Ra, xb, p) + a_exp_b_mod_c(ya, xb, p)) % p;
  if (ws != wr) {
    fprintf(stderr, "email mismatch\n");
    return 1;
  }
  pr("w_email", fixed(ws, 128));
  pr("tek_email", tek(fixed(ws, 128)));
  // two-pass (facts §2.3): A: Yb^ra + Rb^xa; B: Ra^xb + Ya^rb
  Integer wa = (a_exp_b_mod_c(yb, ra, p) + a_exp_b_mod_c(Rb, xa, p)) % p;
  Integer wb = (a_exp_b_mod_c(Ra, xb, p) + a_exp_b_mod_c(ya, rb, p)) % p;
  if (wa != wb) {
    fprintf(stderr, "two-pass mismatch\n");
    return 1;
  }
  pr("w_two_pass", fixed(wa, 128));
  pr("tek_two_pass", tek(fixed(wa, 128)));
}
