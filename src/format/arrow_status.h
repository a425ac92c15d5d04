// arrow_status.h: conversion between lakepack::Status and arrow::Status.
//
// Arrow calls back into lakepack (store-backed files) and lakepack calls Arrow (readers, writers);
// errors cross that boundary in both directions without losing our StatusCode: a lakepack Status
// turned into an arrow::Status carries a StatusDetail holding the original code, and converting
// back recovers it.  Plain Arrow errors map to the nearest StatusCode (Invalid → kInvalidData...).
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>

#include "arrow/result.h"
#include "arrow/status.h"
#include "lakepack/status.h"

namespace lakepack::format {

// Our Status as an arrow::Status (OK stays OK).  The code survives a round trip via FromArrow.
arrow::Status ToArrow(const Status& status);

// An arrow::Status as ours.  With `context` (usually the file's URI) the message becomes
// "context: message".
Status FromArrow(const arrow::Status& status, const std::string& context = "");

template <typename T>
Result<T> FromArrow(arrow::Result<T> result, const std::string& context = "") {
  if (!result.ok()) return FromArrow(result.status(), context);
  return std::move(result).ValueUnsafe();
}

}  // namespace lakepack::format

// LP_ARROW_RETURN_NOT_OK(expr, context): returns FromArrow(status, context) if the arrow::Status
// (or arrow::Result) `expr` is an error.
#define LP_ARROW_RETURN_NOT_OK(expr, context)                                    \
  do {                                                                           \
    ::arrow::Status _lp_ast = ::arrow::ToStatus((expr));                         \
    if (!_lp_ast.ok()) return ::lakepack::format::FromArrow(_lp_ast, (context)); \
  } while (false)

#define LP_ARROW_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr, context)                \
  auto tmp = (rexpr);                                                           \
  if (!tmp.ok()) return ::lakepack::format::FromArrow(tmp.status(), (context)); \
  lhs = std::move(tmp).ValueUnsafe()

// LP_ARROW_ASSIGN_OR_RETURN(auto x, arrow_result_expr, context)
#define LP_ARROW_ASSIGN_OR_RETURN(lhs, rexpr, context) \
  LP_ARROW_ASSIGN_OR_RETURN_IMPL(LP_CONCAT(_lp_ares_, __LINE__), lhs, rexpr, context)

// LP_TO_ARROW(expr): inside an Arrow-returning function, returns our Status `expr` as an
// arrow::Status if it is an error.
#define LP_TO_ARROW(expr)                                                \
  do {                                                                   \
    ::lakepack::Status _lp_st2 = ::lakepack::internal::ToStatus((expr)); \
    if (!_lp_st2.ok()) return ::lakepack::format::ToArrow(_lp_st2);      \
  } while (false)
