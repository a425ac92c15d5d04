// plan.cc: see plan.h.
#include "pack/plan.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "pack/naming.h"

namespace lakepack::pack {

Result<PackPlan> MakePlan(const PlanRequest& r) {
  if (r.file_limit_bytes <= 0) return Status::InvalidArgument("file limit must be positive");
  PackPlan plan;
  const std::string stem_ = OutputStem(r.table, r.suffix) + "_";

  // Output files of this partition; a file of another extension stops everything.
  std::map<int64_t, const ObjectInfo*> outputs;
  for (const ObjectInfo& o : r.partition_files) {
    std::string_view name = o.key;
    if (name.find('/') != std::string_view::npos || name.empty()) continue;
    if (name[0] == '.' || name[0] == '_') continue;  // hidden or ours (_lakepack)
    if (Extension(name) != r.out_ext) {
      return Status::InvalidArgument("existing file '" + o.key +
                                     "' in the output partition has extension '" +
                                     std::string(Extension(name)) + "', not '" + r.out_ext +
                                     "': pack into another table or partition, or use --out-ext " +
                                     std::string(Extension(name)) + " (nothing was written)");
    }
    // TABLE[_SUFFIX]_N.EXT, N decimal with any zero padding ("t_007" is file 7, as the
    // reference's _get_filenum_from_filename has it); anything else is listed as skipped.
    auto n = ParseFileNumber(name);
    std::string_view digits = name.size() > stem_.size()
                                  ? name.substr(stem_.size(), name.find('.') - stem_.size())
                                  : std::string_view();
    bool ours =
        name.substr(0, stem_.size()) == stem_ && n.ok() && !digits.empty() &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!ours) {
      plan.skipped_outputs.push_back(o.key);
      continue;
    }
    auto [it, fresh] = outputs.emplace(*n, &o);
    if (!fresh) {
      return Status::InvalidArgument("output files '" + it->second->key + "' and '" + o.key +
                                     "' both have number " + std::to_string(*n) +
                                     ": rename or remove one (nothing was written)");
    }
  }

  if (r.abandoned) {
    // The truth is the state before the crashed run: its recorded latest file and base copy.
    const Intent& a = *r.abandoned;
    plan.latest_n = a.prev_latest_n;
    for (const auto& [n, o] : outputs) {
      if (n > a.prev_latest_n) plan.stale_files.push_back(o->key);
    }
    if (a.prev_latest_n >= 0) {
      plan.latest_name = OutputFileName(r.table, r.suffix, a.prev_latest_n, r.out_ext);
      if (!a.base_file.empty()) {
        plan.rewrite_latest = true;
        plan.latest_size = a.base_size;
        plan.latest_etag = a.base_etag;
      } else {
        auto it = outputs.find(a.prev_latest_n);
        if (it == outputs.end()) {
          return Status::Internal("recovering run " + std::to_string(a.generation) + ": " +
                                  plan.latest_name + " is missing");
        }
        plan.latest_size = it->second->size;
        plan.latest_etag = it->second->etag;
      }
    }
  } else if (!outputs.empty()) {
    const ObjectInfo& latest = *outputs.rbegin()->second;
    plan.latest_n = outputs.rbegin()->first;
    plan.latest_name = latest.key;
    plan.latest_size = latest.size;
    plan.latest_etag = latest.etag;
    // A file already within the tolerance below the limit counts as full: rewriting it would
    // cost a whole file's I/O to add under 2% of a file.
    // A zero-padded name ("t_007") is never rewritten: the rewrite would go to "t_7".
    // With append_new_file it is kept whatever its size.
    plan.rewrite_latest =
        !r.append_new_file &&
        latest.size < static_cast<int64_t>(r.file_limit_bytes * (1.0 - kSizeTolerance)) &&
        latest.key == OutputFileName(r.table, r.suffix, plan.latest_n, r.out_ext);
  }
  plan.first_n = plan.latest_n < 0 ? 0 : (plan.rewrite_latest ? plan.latest_n : plan.latest_n + 1);

  // Inputs not packed before (same URI, size and ETag), with the wanted extension.
  std::map<std::string, const PackedInput*> packed;
  if (r.committed) {
    for (const auto& p : r.committed->packed) packed[p.uri] = &p;
  }
  for (const ObjectInfo& in : r.inputs) {
    std::string_view base = BaseName(in.key);
    if (base.empty() || base[0] == '.' || base[0] == '_') continue;
    if (in.key.find("/_lakepack/") != std::string::npos) continue;
    if (!r.in_ext.empty() && !HasInputExtension(base, r.in_ext)) {
      plan.skipped_inputs.push_back(in.key);
      continue;
    }
    // Pack every file whose format is known (format/format.h: case-insensitively, ".tsv", a ".gz"
    // or ".zst" after a text format's extension); the others are listed as skipped.
    if (!format::DetectFormat(base).ok()) {
      plan.skipped_inputs.push_back(in.key);
      continue;
    }
    auto it = packed.find(in.key);
    if (it != packed.end()) {  // the URI is the identity: never packed twice
      const PackedInput& then = *it->second;
      if (then.size == in.size && then.etag == in.etag) {
        ++plan.already_packed;
      } else if (then.size == in.size && !then.checksum.empty()) {
        plan.verify.push_back({in, then});
      } else {
        plan.changed.push_back({in, then});
      }
      continue;
    }
    plan.inputs.push_back(in);
    plan.input_bytes += in.size;
  }
  std::sort(plan.inputs.begin(), plan.inputs.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  if (!plan.inputs.empty()) {
    // Output bytes per input byte as measured by the committed runs, when they tell.
    int64_t packed_in = 0, packed_out = 0;
    if (r.committed) {
      for (const auto& p : r.committed->packed) packed_in += p.size;
      for (const auto& f : r.committed->files) packed_out += f.size;
    }
    if (packed_in > 0 && packed_out > 0) {
      plan.output_per_input = static_cast<double>(packed_out) / static_cast<double>(packed_in);
    }
    int64_t bytes = static_cast<int64_t>(static_cast<double>(plan.input_bytes) *
                                         (plan.output_per_input > 0 ? plan.output_per_input : 1)) +
                    (plan.rewrite_latest ? plan.latest_size : 0);
    plan.estimated_files =
        std::max<int64_t>(1, (bytes + r.file_limit_bytes - 1) / r.file_limit_bytes);
  }
  return plan;
}

std::string DescribePlan(const PackPlan& p, const PlanRequest& r) {
  std::string s;
  s += "inputs to pack: " + std::to_string(p.inputs.size()) + " (" + std::to_string(p.input_bytes) +
       " bytes); already packed: " + std::to_string(p.already_packed) + "\n";
  for (const auto& in : p.inputs) {
    s += "  " + in.key + " (" + std::to_string(in.size) + " bytes)\n";
  }
  for (const auto& v : p.verify) {
    s += "  packed before, ETag changed (checked by checksum): " + v.now.key + "\n";
  }
  for (const auto& c : p.changed) {
    s += "  CHANGED since it was packed: " + c.now.key + " (" + std::to_string(c.then.size) +
         " -> " + std::to_string(c.now.size) + " bytes)\n";
  }
  for (const auto& f : p.skipped_outputs) {
    s += "skipped (not named " + OutputFileName(r.table, r.suffix, 0, r.out_ext) + " etc.): " + f +
         "\n";
  }
  for (const auto& f : p.skipped_inputs) {
    s += "skipped input (" +
         (r.in_ext.empty() ? std::string("not a csv, tsv, jsonl or parquet name")
                           : "not ." + r.in_ext) +
         "): " + f + "\n";
  }
  for (const auto& f : p.stale_files) s += "delete (left by a crashed run): " + f + "\n";
  if (p.latest_n < 0) {
    s += "no existing output file\n";
  } else {
    s += "latest output file: " + p.latest_name + " (" + std::to_string(p.latest_size) +
         " bytes): " +
         (p.rewrite_latest
              ? "under the limit, its rows come first and it is rewritten (" +
                    std::to_string(p.latest_size) + " bytes re-read)"
              : (r.append_new_file ? "kept as is (append mode new-file)" : "full, kept as is")) +
         "\n";
  }
  if (!p.inputs.empty()) {
    s += "output files: " + OutputFileName(r.table, r.suffix, p.first_n, r.out_ext) +
         " onwards, about " + std::to_string(p.estimated_files) + " file(s) of up to " +
         std::to_string(r.file_limit_bytes) + " bytes (" +
         (p.output_per_input > 0
              ? "estimate from the " + std::to_string(p.output_per_input).substr(0, 5) +
                    " output bytes per input byte of the runs so far"
              : std::string("estimate assumes output bytes = input bytes")) +
         ")\n";
  } else {
    s += "nothing to pack\n";
  }
  return s;
}

}  // namespace lakepack::pack
