// Error propagation for the CMS parsers and builders, which chain many Result-returning reads:
//   CMS_TRY(seq, reader.read_sequence());   // declares `seq`, returns its error if it failed
//   CMS_CHECK(reader.expect_end());         // returns the error of a Result<void>
// For .cpp files of src/cms/ only.
#pragma once

#include "core/result.hpp"

// clang-format off
#define CMS_TRY(var, expr) \
  auto var = (expr);       \
  if (!var) return ::sipcred::Unexpected{var.error()}
#define CMS_CHECK(expr) \
  if (auto cms_r_ = (expr); !cms_r_) return ::sipcred::Unexpected{cms_r_.error()}
// clang-format on
