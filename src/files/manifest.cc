#include "files/manifest.h"

#include <cinttypes>
#include <cstdio>
#include <unordered_map>

#include "base/json.h"
#include "files/run_rows.h"
#include "files/store_cache.h"

namespace lakepack::files {

std::string EncodeKeyComponent(const std::string& id) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : id) {
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
        ch == '.' || ch == '_' || ch == '-') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

std::string InputFingerprint(const FileTable& table, int64_t row) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64 offset basis
  auto mix = [&](const std::string& s) {
    for (unsigned char ch : s) {
      h ^= ch;
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // separator: ("ab","c") differs from ("a","bc")
    h *= 1099511628211ull;
  };
  const auto& cells = table.urls[static_cast<size_t>(row)];
  for (size_t c = 0; c < table.columns.size(); ++c) {
    mix(table.columns[c]);
    mix(cells[c]);
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, h);
  return buf;
}

std::string ManifestRecord::ToJson() const {
  using lakepack::JsonQuote;
  std::string s = "{\"version\":1,\"id\":" + JsonQuote(id) + ",\"inputs\":" + JsonQuote(inputs) +
                  ",\"outputs\":[";
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& o = outputs[i];
    if (i > 0) s += ',';
    s += "{\"name\":" + JsonQuote(o.name) + ",\"uri\":" + JsonQuote(o.uri) +
         ",\"size\":" + std::to_string(o.size) + ",\"etag\":" + JsonQuote(o.etag) + "}";
  }
  return s + "]}\n";
}

Result<ManifestRecord> ManifestRecord::Parse(std::string_view json, const std::string& where) {
  auto bad = [&](const std::string& what) { return Status::InvalidData(where + ": " + what); };
  auto doc = ParseJson(json);
  if (!doc.ok()) return bad(doc.status().message());
  using K = JsonValue::Kind;
  if (doc->kind != K::kObject) return bad("not a JSON object");
  ManifestRecord r;
  const auto* id = doc->Find("id");
  const auto* inputs = doc->Find("inputs");
  const auto* outputs = doc->Find("outputs");
  if (!id || id->kind != K::kString || !inputs || inputs->kind != K::kString || !outputs ||
      outputs->kind != K::kArray) {
    return bad("needs string 'id', string 'inputs' and array 'outputs'");
  }
  r.id = id->string;
  r.inputs = inputs->string;
  for (const auto& o : outputs->array) {
    const auto* name = o.kind == K::kObject ? o.Find("name") : nullptr;
    const auto* uri = o.kind == K::kObject ? o.Find("uri") : nullptr;
    const auto* size = o.kind == K::kObject ? o.Find("size") : nullptr;
    const auto* etag = o.kind == K::kObject ? o.Find("etag") : nullptr;
    if (!name || name->kind != K::kString || !uri || uri->kind != K::kString || !size ||
        size->kind != K::kNumber) {
      return bad("an output needs string 'name', string 'uri' and number 'size'");
    }
    ManifestOutput mo;
    mo.name = name->string;
    mo.uri = uri->string;
    auto n = size->AsInt64();
    if (!n || *n < 0) return bad("'size' is not a byte count: " + size->string);
    mo.size = *n;
    if (etag && etag->kind == K::kString) mo.etag = etag->string;
    r.outputs.push_back(std::move(mo));
  }
  return r;
}

Result<std::unique_ptr<Manifest>> Manifest::Open(const std::string& into_path,
                                                 const StoreOptions& options) {
  LP_ASSIGN_OR_RETURN(StoreLocation into, ResolveUrl(into_path, options));
  std::string dir = into.key;
  if (!dir.empty() && dir.back() != '/') dir += '/';
  return std::unique_ptr<Manifest>(new Manifest(std::move(into), std::move(dir)));
}

std::string Manifest::RecordKey(const std::string& id) const {
  return dir_key_ + kManifestDir + EncodeKeyComponent(id) + ".json";
}

Status Manifest::Write(const ManifestRecord& record) {
  return into_.store->Put(RecordKey(record.id), record.ToJson()).status();
}

Result<std::vector<std::optional<ManifestRecord>>> Manifest::LoadDone(const FileTable& table,
                                                                      int parallel) {
  std::vector<std::optional<ManifestRecord>> done(static_cast<size_t>(table.num_rows()));
  auto listing = into_.store->ListAll(dir_key_);
  if (!listing.ok()) {
    if (listing.status().IsNotFound()) return done;  // a fresh into_path
    return listing.status();
  }
  std::unordered_map<std::string, ObjectInfo> objects;
  for (auto& o : *listing) objects.emplace(o.key, std::move(o));
  if (objects.empty()) return done;
  std::vector<Status> errors(done.size());
  RunRows(table.num_rows(), parallel, {}, [&](int64_t r, const JobContext&) {
    const std::string id = table.IdOf(r);
    const std::string key = RecordKey(id);
    if (objects.find(key) == objects.end()) return;
    auto text = into_.store->Get(key);
    if (!text.ok()) {
      if (!text.status().IsNotFound()) errors[static_cast<size_t>(r)] = text.status();
      return;
    }
    auto rec = ManifestRecord::Parse(*text, into_.store->Uri(key));
    if (!rec.ok() || rec->id != id || rec->inputs != InputFingerprint(table, r)) return;  // redo
    for (const auto& o : rec->outputs) {
      auto it = objects.find(dir_key_ + id + "/" + o.name);
      if (it == objects.end() || it->second.size != o.size) return;
      if (!o.etag.empty() && !it->second.etag.empty() && !into_.store->is_local() &&
          o.etag != it->second.etag) {
        return;
      }
    }
    done[static_cast<size_t>(r)] = std::move(*rec);
  });
  for (const auto& e : errors) LP_RETURN_NOT_OK(e);
  return done;
}

}  // namespace lakepack::files
