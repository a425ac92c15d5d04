// word_lists.h: the small, hand-written vocabularies the fake-data generator draws from.
//
// Each list is a fixed array of string_views into static storage, written for lakepack (no
// Faker, nothing downloaded).  Lists never change at run time, so generated data depends only on
// the generator's seed.  Changing a list changes every generated data set: treat them as frozen.
//
// Thread-safety: immutable after static initialisation; safe from any thread.
#pragma once

#include <span>
#include <string_view>

namespace lakepack::gen {

// Capitalised given and family names.
std::span<const std::string_view> FirstNames();
std::span<const std::string_view> LastNames();
// Lower-case versions of FirstNames()/LastNames(), index for index (for e-mail addresses).
std::span<const std::string_view> FirstNamesLower();
std::span<const std::string_view> LastNamesLower();
// E-mail domains (reserved or obviously fictitious ones).
std::span<const std::string_view> EmailDomains();
// Street names ("Maple") and street kinds ("Avenue").
std::span<const std::string_view> StreetNames();
std::span<const std::string_view> StreetSuffixes();
std::span<const std::string_view> Cities();
std::span<const std::string_view> Countries();
// Company name parts: "<word> <suffix>", e.g. "Northwind Logistics".
std::span<const std::string_view> CompanyWords();
std::span<const std::string_view> CompanySuffixes();
std::span<const std::string_view> Jobs();
// The low-cardinality customer category (dictionary-like column).
std::span<const std::string_view> Categories();
// Words for the free-text notes column.
std::span<const std::string_view> NoteWords();

}  // namespace lakepack::gen
