#include "crypto/kea.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>

#include "crypto/openssl_util.hpp"

namespace sipcred::crypto {
namespace {

using BnPtr = Owned<BIGNUM, BN_clear_free>;
using BnCtxPtr = Owned<BN_CTX, BN_CTX_free>;
using MontPtr = Owned<BN_MONT_CTX, BN_MONT_CTX_free>;
using PkeyCtxPtr = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using PkeyPtr = Owned<EVP_PKEY, EVP_PKEY_free>;

BnPtr to_bn(BigView v) {
  return BnPtr{BN_bin2bn(v.data(), static_cast<int>(v.size()), nullptr)};
}

Bytes from_bn(const BIGNUM* bn, size_t len) {
  Bytes out(len);
  if (BN_bn2binpad(bn, out.data(), static_cast<int>(len)) < 0) return {};
  return out;
}

Bytes minimal(const BIGNUM* bn) {
  return from_bn(bn, static_cast<size_t>(BN_num_bytes(bn)));
}

}  // namespace

int big_compare(BigView a, BigView b) {
  while (!a.empty() && a.front() == 0) a = a.subspan(1);
  while (!b.empty() && b.front() == 0) b = b.subspan(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

size_t big_bits(BigView a) {
  while (!a.empty() && a.front() == 0) a = a.subspan(1);
  if (a.empty()) return 0;
  size_t bits = (a.size() - 1) * 8;
  for (uint8_t top = a.front(); top != 0; top >>= 1) ++bits;
  return bits;
}

Bytes big_trim(BigView a) {
  while (!a.empty() && a.front() == 0) a = a.subspan(1);
  return Bytes(a.begin(), a.end());
}

Result<bool> big_is_probable_prime(BigView n) {
  BnPtr bn = to_bn(n);
  BnCtxPtr ctx{BN_CTX_new()};
  if (!bn || !ctx) return openssl_fail("BIGNUM allocation");
  const int r = BN_check_prime(bn.get(), ctx.get(), nullptr);
  if (r < 0) return openssl_fail("primality test");
  return r == 1;
}

Result<bool> big_divides(BigView m, BigView a) {
  BnPtr bm = to_bn(m), ba = to_bn(a), rem{BN_new()};
  BnCtxPtr ctx{BN_CTX_new()};
  if (!bm || !ba || !rem || !ctx) return openssl_fail("BIGNUM allocation");
  if (BN_is_zero(bm.get())) return fail(Errc::invalid_argument, "division by zero");
  if (BN_mod(rem.get(), ba.get(), bm.get(), ctx.get()) != 1) return openssl_fail("BN_mod");
  return BN_is_zero(rem.get()) == 1;
}

Bytes big_minus_one(BigView a) {
  BnPtr b = to_bn(a);
  if (!b || BN_is_zero(b.get()) || BN_sub_word(b.get(), 1) != 1) return {};
  return minimal(b.get());
}

Result<Bytes> big_random_below(BigView bound, size_t fixed_len) {
  BnPtr b = to_bn(bound), r{BN_secure_new()};
  if (!b || !r) return openssl_fail("BIGNUM allocation");
  if (BN_cmp(b.get(), BN_value_one()) <= 0) {
    return fail(Errc::invalid_argument, "random bound below 2");
  }
  if (static_cast<size_t>(BN_num_bytes(b.get())) > fixed_len) {
    return fail(Errc::invalid_argument, "random bound longer than the output");
  }
  // [1, bound - 1]: draw from [0, bound - 2] and add one.
  if (BN_sub_word(b.get(), 1) != 1 || BN_priv_rand_range(r.get(), b.get()) != 1 ||
      BN_add_word(r.get(), 1) != 1) {
    return openssl_fail("random number in range");
  }
  return from_bn(r.get(), fixed_len);
}

Result<DomainParams> generate_dsa_domain(int p_bits, int q_bits) {
  PkeyCtxPtr ctx{EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr)};
  if (!ctx || EVP_PKEY_paramgen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx.get(), p_bits) != 1 ||
      EVP_PKEY_CTX_set_dsa_paramgen_q_bits(ctx.get(), q_bits) != 1) {
    return openssl_fail("DSA parameter generation set-up");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_paramgen(ctx.get(), &raw) != 1) return openssl_fail("DSA parameter generation");
  PkeyPtr params{raw};
  DomainParams out;
  for (auto [name, dst] :
       {std::pair{OSSL_PKEY_PARAM_FFC_P, &out.p}, std::pair{OSSL_PKEY_PARAM_FFC_Q, &out.q},
        std::pair{OSSL_PKEY_PARAM_FFC_G, &out.g}}) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(params.get(), name, &bn) != 1) {
      return openssl_fail("DSA parameter read");
    }
    BnPtr owned{bn};
    *dst = minimal(bn);
  }
  return out;
}

struct ModP::Impl {
  BnPtr p;
  MontPtr mont;
};

ModP::ModP(std::unique_ptr<Impl> impl, size_t size) : impl_(std::move(impl)), size_(size) {}
ModP::~ModP() = default;
ModP::ModP(ModP&&) noexcept = default;
ModP& ModP::operator=(ModP&&) noexcept = default;

Result<ModP> ModP::create(BigView p) {
  auto impl = std::make_unique<Impl>();
  impl->p = to_bn(p);
  BnCtxPtr ctx{BN_CTX_new()};
  if (!impl->p || !ctx) return openssl_fail("BIGNUM allocation");
  if (!BN_is_odd(impl->p.get()) || BN_num_bits(impl->p.get()) < 2) {
    return fail(Errc::invalid_argument, "modulus must be odd and at least 3");
  }
  impl->mont.reset(BN_MONT_CTX_new());
  if (!impl->mont || BN_MONT_CTX_set(impl->mont.get(), impl->p.get(), ctx.get()) != 1) {
    return openssl_fail("Montgomery context");
  }
  const auto size = static_cast<size_t>(BN_num_bytes(impl->p.get()));
  return ModP{std::move(impl), size};
}

Result<Bytes> ModP::exp_secret(BigView base, BigView exponent, BigView q) const {
  BnPtr b = to_bn(base), bq = to_bn(q);
  BnPtr x{BN_secure_new()}, k1{BN_secure_new()}, k2{BN_secure_new()}, r{BN_new()};
  BnCtxPtr ctx{BN_CTX_secure_new()};
  if (!b || !bq || !x || !k1 || !k2 || !r || !ctx) return openssl_fail("BIGNUM allocation");
  if (BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), x.get()) == nullptr) {
    return openssl_fail("BIGNUM allocation");
  }
  if (BN_cmp(x.get(), bq.get()) >= 0 || BN_cmp(b.get(), impl_->p.get()) >= 0) {
    return fail(Errc::invalid_argument, "secret exponent not below q, or base not below p");
  }
  // Fixed-length exponent: k1 = x + q, k2 = x + 2q; exactly one of them has bit |q| set
  // (see the header), and that one is taken by a constant-time swap, as OpenSSL's DSA signer does.
  const int q_bits = BN_num_bits(bq.get());
  const int words = (q_bits + BN_BITS2 - 1) / BN_BITS2 + 2;
  const int top_bit = words * BN_BITS2 - 1;
  // Setting and clearing the top bit makes both numbers own `words` words, which the swap needs.
  for (BIGNUM* k : {k1.get(), k2.get()}) {
    BN_set_flags(k, BN_FLG_CONSTTIME);
    if (BN_set_bit(k, top_bit) != 1 || BN_clear_bit(k, top_bit) != 1) {
      return openssl_fail("BIGNUM expansion");
    }
  }
  if (BN_add(k1.get(), x.get(), bq.get()) != 1 || BN_add(k2.get(), k1.get(), bq.get()) != 1) {
    return openssl_fail("BN_add");
  }
  BN_consttime_swap(static_cast<BN_ULONG>(BN_is_bit_set(k1.get(), q_bits) == 0), k1.get(), k2.get(),
                    words);
  BN_set_flags(k1.get(), BN_FLG_CONSTTIME);
  if (BN_mod_exp_mont_consttime(r.get(), b.get(), k1.get(), impl_->p.get(), ctx.get(),
                                impl_->mont.get()) != 1) {
    return openssl_fail("constant-time modular exponentiation");
  }
  return from_bn(r.get(), size_);
}

Result<Bytes> ModP::exp_public(BigView base, BigView exponent) const {
  BnPtr b = to_bn(base), e = to_bn(exponent), r{BN_new()};
  BnCtxPtr ctx{BN_CTX_new()};
  if (!b || !e || !r || !ctx) return openssl_fail("BIGNUM allocation");
  if (BN_mod_exp_mont(r.get(), b.get(), e.get(), impl_->p.get(), ctx.get(), impl_->mont.get()) !=
      1) {
    return openssl_fail("modular exponentiation");
  }
  return from_bn(r.get(), size_);
}

Result<Bytes> ModP::add(BigView a, BigView b) const {
  BnPtr ba = to_bn(a), bb = to_bn(b), r{BN_secure_new()};
  if (!ba || !bb || !r) return openssl_fail("BIGNUM allocation");
  if (BN_mod_add_quick(r.get(), ba.get(), bb.get(), impl_->p.get()) != 1) {
    return openssl_fail("modular addition");
  }
  return from_bn(r.get(), size_);
}

}  // namespace sipcred::crypto
