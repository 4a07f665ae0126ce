#include "cms/rfc2876/kea.hpp"

#include <algorithm>

#include "asn1/der.hpp"
#include "cms/rfc2876/fortezza_wrap.hpp"
#include "crypto/hash.hpp"
#include "crypto/kea.hpp"

namespace sipcred::cms::rfc2876 {
namespace {

// Facts §2.4 step 3 (NSA spec §II.C; NSS swfort's pad array).
constexpr std::array<uint8_t, 10> kKeaPad{0x72, 0xf1, 0xa8, 0x7e, 0x92,
                                          0x82, 0x41, 0x98, 0xab, 0x0b};

Result<crypto::ModP> mod_p(const KeaDomain& d) {
  return crypto::ModP::create(d.p);
}

bool is_zero(std::span<const uint8_t> v) {
  uint8_t acc = 0;
  for (uint8_t b : v) acc |= b;
  return acc == 0;
}

// w = a^s + b^t mod p for two secret exponents; then the TEK.
Result<SkipjackKey> tek_of_sum(const crypto::ModP* p, const KeaDomain& d,
                               std::span<const uint8_t> a, std::span<const uint8_t> s,
                               std::span<const uint8_t> b, std::span<const uint8_t> t) {
  auto first = p->exp_secret(a, s, d.q);
  if (!first) return Unexpected{first.error()};
  auto second = p->exp_secret(b, t, d.q);
  if (!second) return Unexpected{second.error()};
  auto w = p->add(*first, *second);
  secure_wipe(first->data(), first->size());
  secure_wipe(second->data(), second->size());
  if (!w) return Unexpected{w.error()};
  // Facts §2.2: w = 0 would give a key known to anyone; refuse it.
  if (is_zero(*w)) return fail(Errc::crypto, "KEA: w is zero");
  auto tek = kea_tek_from_w(*w);
  secure_wipe(w->data(), w->size());
  return tek;
}

// Facts §2.2 with a given Montgomery context.
Result<void> check_public(const crypto::ModP& p, const KeaDomain& d, std::span<const uint8_t> v) {
  auto fixed = kea_fixed_public(v);
  if (!fixed) return Unexpected{fixed.error()};
  const uint8_t one[1] = {1};
  if (crypto::big_compare(v, one) <= 0 || crypto::big_compare(v, d.p) >= 0) {
    return fail(Errc::crypto, "KEA public value out of range");
  }
  auto vq = p.exp_public(v, d.q);
  if (!vq) return Unexpected{vq.error()};
  if (crypto::big_compare(*vq, one) != 0) {
    return fail(Errc::crypto, "KEA public value not in the order-q subgroup");
  }
  return {};
}

}  // namespace

KeaKeyPair::~KeaKeyPair() {
  if (!x.empty()) secure_wipe(x.data(), x.size());
}

Result<void> validate_kea_domain(const KeaDomain& d) {
  if (crypto::big_bits(d.p) != 1024) return fail(Errc::crypto, "KEA: p is not 1024 bits");
  if (crypto::big_bits(d.q) != 160) return fail(Errc::crypto, "KEA: q is not 160 bits");
  for (auto [v, name] : {std::pair{&d.p, "p"}, std::pair{&d.q, "q"}}) {
    auto prime = crypto::big_is_probable_prime(*v);
    if (!prime) return Unexpected{prime.error()};
    if (!*prime) return fail(Errc::crypto, std::string{"KEA: "} + name + " is not prime");
  }
  auto divides = crypto::big_divides(d.q, crypto::big_minus_one(d.p));
  if (!divides) return Unexpected{divides.error()};
  if (!*divides) return fail(Errc::crypto, "KEA: q does not divide p - 1");
  const uint8_t one[1] = {1};
  if (crypto::big_compare(d.g, one) <= 0 || crypto::big_compare(d.g, d.p) >= 0) {
    return fail(Errc::crypto, "KEA: g out of range");
  }
  auto p = mod_p(d);
  if (!p) return Unexpected{p.error()};
  auto gq = p->exp_public(d.g, d.q);
  if (!gq) return Unexpected{gq.error()};
  if (crypto::big_compare(*gq, one) != 0) {
    return fail(Errc::crypto, "KEA: g does not generate the order-q subgroup");
  }
  return {};
}

Result<KeaDomain> generate_kea_domain() {
  auto params = crypto::generate_dsa_domain(1024, 160);
  if (!params) return Unexpected{params.error()};
  return KeaDomain{params->p, params->q, params->g};
}

Bytes dss_parms_der(const KeaDomain& d) {
  asn1::Writer w;
  w.sequence([&](asn1::Writer& s) {
    s.integer_from_unsigned(d.p).integer_from_unsigned(d.q).integer_from_unsigned(d.g);
  });
  return std::move(w).finish().value_or(Bytes{});
}

Result<KeaDomain> parse_dss_parms(std::span<const uint8_t> der) {
  asn1::Reader top{der};
  auto seq = top.read_sequence();
  if (!seq) return Unexpected{seq.error()};
  if (auto e = top.expect_end(); !e) return Unexpected{e.error()};
  KeaDomain d;
  for (Bytes* v : {&d.p, &d.q, &d.g}) {
    auto i = seq->read_unsigned();
    if (!i) return Unexpected{i.error()};
    *v = crypto::big_trim(*i);
  }
  if (auto e = seq->expect_end(); !e) return Unexpected{e.error()};
  return d;
}

KeaDomainId kea_domain_identifier(const KeaDomain& d) {
  const Bytes h = crypto::hash(crypto::HashAlg::sha1, dss_parms_der(d));
  KeaDomainId id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = h[i] ^ h[i + 10];
  return id;
}

Result<KeaKeyPair> kea_key_pair_from_private(const KeaDomain& d, std::span<const uint8_t> x) {
  const uint8_t zero[1] = {0};
  if (crypto::big_compare(x, zero) == 0 || crypto::big_compare(x, d.q) >= 0 ||
      crypto::big_bits(x) > kKeaPrivateSize * 8) {
    return fail(Errc::invalid_argument, "KEA private value not in [1, q-1]");
  }
  auto p = mod_p(d);
  if (!p) return Unexpected{p.error()};
  auto y = p->exp_secret(d.g, x, d.q);
  if (!y) return Unexpected{y.error()};
  Bytes fixed(kKeaPrivateSize, 0);
  const Bytes trimmed = crypto::big_trim(x);
  std::copy(trimmed.begin(), trimmed.end(), fixed.end() - static_cast<ptrdiff_t>(trimmed.size()));
  return KeaKeyPair{std::move(fixed), std::move(*y)};
}

Result<KeaKeyPair> generate_kea_key_pair(const KeaDomain& d) {
  auto x = crypto::big_random_below(d.q, kKeaPrivateSize);
  if (!x) return Unexpected{x.error()};
  auto pair = kea_key_pair_from_private(d, *x);
  secure_wipe(x->data(), x->size());
  return pair;
}

Result<Bytes> kea_fixed_public(std::span<const uint8_t> v) {
  while (!v.empty() && v.front() == 0) v = v.subspan(1);
  if (v.size() > kKeaPublicSize)
    return fail(Errc::parse, "KEA public value longer than 128 octets");
  Bytes out(kKeaPublicSize, 0);
  std::copy(v.begin(), v.end(), out.end() - static_cast<ptrdiff_t>(v.size()));
  return out;
}

Result<void> check_kea_public_value(const KeaDomain& d, std::span<const uint8_t> v) {
  auto p = mod_p(d);
  if (!p) return Unexpected{p.error()};
  return check_public(*p, d, v);
}

Result<SkipjackKey> kea_tek_from_w(std::span<const uint8_t> w) {
  if (w.size() != kKeaPSize) return fail(Errc::invalid_argument, "KEA: w is not 128 octets");
  SkipjackKey kv, v2;
  for (size_t i = 0; i < 10; ++i) {
    kv[i] = w[i] ^ kKeaPad[i];
    v2[i] = w[10 + i];
  }
  const Skipjack cipher{kv, ByteOrder::fortezza};
  SkipjackKey tek = fortezza_wrap80_core(cipher, v2);
  secure_wipe(kv.data(), kv.size());
  secure_wipe(v2.data(), v2.size());
  return tek;
}

Result<SkipjackKey> kea_agree(const KeaDomain& d, const KeaKeyPair& self_static,
                              const KeaKeyPair& self_ephemeral, std::span<const uint8_t> peer_y,
                              std::span<const uint8_t> peer_r) {
  // One Montgomery context of p for the two checks and the two exponentiations.
  auto p = mod_p(d);
  if (!p) return Unexpected{p.error()};
  if (auto c = check_public(*p, d, peer_y); !c) return Unexpected{c.error()};
  if (auto c = check_public(*p, d, peer_r); !c) return Unexpected{c.error()};
  return tek_of_sum(&*p, d, peer_y, self_ephemeral.x, peer_r, self_static.x);
}

Result<SkipjackKey> kea_email_originator(const KeaDomain& d, const KeaKeyPair& originator_static,
                                         const KeaKeyPair& originator_ephemeral,
                                         std::span<const uint8_t> recipient_y) {
  // R_B := Y_B (facts §2.3).
  return kea_agree(d, originator_static, originator_ephemeral, recipient_y, recipient_y);
}

Result<SkipjackKey> kea_email_recipient(const KeaDomain& d, const KeaKeyPair& recipient_static,
                                        std::span<const uint8_t> originator_y,
                                        std::span<const uint8_t> originator_r) {
  // r_B := x_B: w = Y_A^x_B + R_A^x_B.
  return kea_agree(d, recipient_static, recipient_static, originator_y, originator_r);
}

}  // namespace sipcred::cms::rfc2876
