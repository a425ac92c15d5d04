// manifest.cc: see manifest.h.
#include "manifest/manifest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "arrow/array.h"
#include "arrow/array/concatenate.h"
#include "arrow/builder.h"
#include "arrow/compute/cast.h"
#include "arrow/io/memory.h"
#include "arrow/table.h"
#include "base/json.h"
#include "format/arrow_status.h"
#include "parquet/arrow/reader.h"
#include "parquet/arrow/writer.h"

namespace lakepack::manifest {

std::string Fingerprint(const std::vector<FileEntry>& files) {
  std::vector<const FileEntry*> order;
  order.reserve(files.size());
  for (const auto& f : files) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(),
                   [](const FileEntry* a, const FileEntry* b) { return a->uri < b->uri; });
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  for (const FileEntry* f : order) {
    EVP_DigestUpdate(ctx, f->uri.data(), f->uri.size());
    EVP_DigestUpdate(ctx, f->etag.data(), f->etag.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx, digest, &n);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

Manifest MakeManifest(std::vector<FileEntry> files, std::string data_uri, std::string summary_uri,
                      std::string details_json) {
  Manifest m;
  m.data_uri = std::move(data_uri);
  m.summary_uri = std::move(summary_uri);
  m.details_json = details_json.empty() ? "{}" : std::move(details_json);
  m.rows = 0;
  for (const auto& f : files) {
    m.size += f.size;
    if (f.rows < 0 || m.rows < 0) {
      m.rows = -1;
    } else {
      m.rows += f.rows;
    }
  }
  m.fingerprint = Fingerprint(files);
  m.files = std::move(files);
  return m;
}

std::string SummaryJson(const Manifest& m) {
  JsonWriter w;
  w.BeginObject();
  w.Key("manifest").String(m.data_uri);
  w.Key("size").Int(m.size);
  w.Key("n_record");
  if (m.rows >= 0) {
    w.Int(m.rows);
  } else {
    w.Null();
  }
  w.Key("fingerprint").String(m.fingerprint);
  w.Key("details").Raw(m.details_json.empty() ? "{}" : m.details_json);
  w.EndObject();
  return w.str();
}

Result<std::string> DataParquet(const Manifest& m) {
  bool has_partition = false, has_keys = false;
  for (const auto& f : m.files) {
    has_partition |= !f.partition.empty();
    has_keys |= !f.min_key.empty() || !f.max_key.empty();
  }
  arrow::StringBuilder uri, etag, partition, min_key, max_key;
  arrow::Int64Builder size, rows;
  const std::string ctx = "manifest " + m.data_uri;
  for (const auto& f : m.files) {
    LP_ARROW_RETURN_NOT_OK(uri.Append(f.uri), ctx);
    LP_ARROW_RETURN_NOT_OK(size.Append(f.size), ctx);
    LP_ARROW_RETURN_NOT_OK(etag.Append(f.etag), ctx);
    LP_ARROW_RETURN_NOT_OK(f.rows >= 0 ? rows.Append(f.rows) : rows.AppendNull(), ctx);
    if (has_partition) LP_ARROW_RETURN_NOT_OK(partition.Append(f.partition), ctx);
    if (has_keys) {
      LP_ARROW_RETURN_NOT_OK(min_key.Append(f.min_key), ctx);
      LP_ARROW_RETURN_NOT_OK(max_key.Append(f.max_key), ctx);
    }
  }
  std::vector<std::shared_ptr<arrow::Field>> fields = {
      arrow::field("uri", arrow::utf8()), arrow::field("size", arrow::int64()),
      arrow::field("etag", arrow::utf8()), arrow::field("n_record", arrow::int64())};
  std::vector<std::shared_ptr<arrow::Array>> columns(4);
  LP_ARROW_RETURN_NOT_OK(uri.Finish(&columns[0]), ctx);
  LP_ARROW_RETURN_NOT_OK(size.Finish(&columns[1]), ctx);
  LP_ARROW_RETURN_NOT_OK(etag.Finish(&columns[2]), ctx);
  LP_ARROW_RETURN_NOT_OK(rows.Finish(&columns[3]), ctx);
  if (has_partition) {
    fields.push_back(arrow::field("partition", arrow::utf8()));
    columns.emplace_back();
    LP_ARROW_RETURN_NOT_OK(partition.Finish(&columns.back()), ctx);
  }
  if (has_keys) {
    fields.push_back(arrow::field("min_key", arrow::utf8()));
    fields.push_back(arrow::field("max_key", arrow::utf8()));
    columns.emplace_back();
    LP_ARROW_RETURN_NOT_OK(min_key.Finish(&columns.back()), ctx);
    columns.emplace_back();
    LP_ARROW_RETURN_NOT_OK(max_key.Finish(&columns.back()), ctx);
  }
  auto table = arrow::Table::Make(arrow::schema(fields), columns,
                                  static_cast<int64_t>(m.files.size()));
  LP_ARROW_ASSIGN_OR_RETURN(auto sink, arrow::io::BufferOutputStream::Create(), ctx);
  auto props = parquet::WriterProperties::Builder().compression(parquet::Compression::SNAPPY)->build();
  // Row groups of 1M entries: a million-file manifest stays one or two groups.
  constexpr int64_t kRowGroupRows = 1 << 20;
  LP_ARROW_RETURN_NOT_OK(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink,
                                                    kRowGroupRows, props),
                         ctx);
  LP_ARROW_ASSIGN_OR_RETURN(auto buf, sink->Finish(), ctx);
  return buf->ToString();
}

Result<StoreLocation> Resolve(const std::string& uri, const std::shared_ptr<ObjectStore>& store,
                              const StoreOptions& options) {
  if (store) {
    std::string root = store->root_uri() + "/";
    if (uri.rfind(root, 0) == 0) return StoreLocation{store, uri.substr(root.size())};
  }
  return OpenStore(uri, options);
}

Status WriteManifest(const Manifest& m, std::shared_ptr<ObjectStore> store,
                     const StoreOptions& options) {
  LP_ASSIGN_OR_RETURN(std::string data, DataParquet(m));
  LP_ASSIGN_OR_RETURN(StoreLocation d, Resolve(m.data_uri, store, options));
  LP_RETURN_NOT_OK(d.store->Put(d.key, data).status());
  LP_ASSIGN_OR_RETURN(StoreLocation s, Resolve(m.summary_uri, store, options));
  PutOptions po;
  po.content_type = "application/json";
  return s.store->Put(s.key, SummaryJson(m), po).status();
}

namespace {

Result<std::shared_ptr<arrow::Array>> Column(const arrow::Table& t, const char* name,
                                             const std::shared_ptr<arrow::DataType>& type,
                                             const std::string& source) {
  auto col = t.GetColumnByName(name);
  if (!col) return std::shared_ptr<arrow::Array>();
  std::shared_ptr<arrow::Array> a;
  if (col->num_chunks() == 1) {
    a = col->chunk(0);
  } else {
    LP_ARROW_ASSIGN_OR_RETURN(a, arrow::Concatenate(col->chunks()), source);
  }
  if (!a->type()->Equals(*type)) {
    auto cast = arrow::compute::Cast(*a, type);
    if (!cast.ok()) {
      return Status::InvalidData(source + ": column '" + name + "' is " + a->type()->ToString() +
                                 ", expected " + type->ToString());
    }
    a = *cast;
  }
  return a;
}

std::string StringAt(const std::shared_ptr<arrow::Array>& a, int64_t i) {
  if (!a || a->IsNull(i)) return {};
  return std::string(static_cast<const arrow::StringArray&>(*a).GetView(i));
}

int64_t IntAt(const std::shared_ptr<arrow::Array>& a, int64_t i, int64_t missing) {
  if (!a || a->IsNull(i)) return missing;
  return static_cast<const arrow::Int64Array&>(*a).Value(i);
}

int64_t JsonInt(const JsonValue* v, int64_t missing) {
  if (!v || v->kind != JsonValue::Kind::kNumber) return missing;
  // Whole numbers exactly; others ("1.5e8", as some writers print sizes) through the double.
  if (auto n = v->AsInt64()) return *n;
  return std::isfinite(v->number) && std::fabs(v->number) < 9e18 ? static_cast<int64_t>(v->number)
                                                                  : missing;
}

}  // namespace

Result<std::vector<FileEntry>> ParseDataParquet(std::string_view bytes, const std::string& source) {
  auto buffer = std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                static_cast<int64_t>(bytes.size()));
  auto input = std::make_shared<arrow::io::BufferReader>(buffer);
  LP_ARROW_ASSIGN_OR_RETURN(auto reader,
                            parquet::arrow::OpenFile(input, arrow::default_memory_pool()), source);
  LP_ARROW_ASSIGN_OR_RETURN(std::shared_ptr<arrow::Table> table, reader->ReadTable(), source);
  LP_ASSIGN_OR_RETURN(auto uri, Column(*table, "uri", arrow::utf8(), source));
  LP_ASSIGN_OR_RETURN(auto size, Column(*table, "size", arrow::int64(), source));
  if (!uri || !size) {
    return Status::InvalidData(source + ": a manifest data file needs the columns 'uri' and 'size' (has " +
                               table->schema()->ToString() + ")");
  }
  LP_ASSIGN_OR_RETURN(auto etag, Column(*table, "etag", arrow::utf8(), source));
  LP_ASSIGN_OR_RETURN(auto rows, Column(*table, "n_record", arrow::int64(), source));
  LP_ASSIGN_OR_RETURN(auto partition, Column(*table, "partition", arrow::utf8(), source));
  LP_ASSIGN_OR_RETURN(auto min_key, Column(*table, "min_key", arrow::utf8(), source));
  LP_ASSIGN_OR_RETURN(auto max_key, Column(*table, "max_key", arrow::utf8(), source));
  std::vector<FileEntry> files(static_cast<size_t>(table->num_rows()));
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    FileEntry& f = files[static_cast<size_t>(i)];
    f.uri = StringAt(uri, i);
    if (f.uri.empty()) {
      return Status::InvalidData(source + ": row " + std::to_string(i) + " has no uri");
    }
    f.size = IntAt(size, i, 0);
    f.etag = StringAt(etag, i);
    f.rows = IntAt(rows, i, -1);
    f.partition = StringAt(partition, i);
    f.min_key = StringAt(min_key, i);
    f.max_key = StringAt(max_key, i);
  }
  return files;
}

Result<Manifest> ReadManifestSummary(const std::string& summary_uri,
                                     std::shared_ptr<ObjectStore> store,
                                     const StoreOptions& options) {
  LP_ASSIGN_OR_RETURN(StoreLocation s, Resolve(summary_uri, store, options));
  LP_ASSIGN_OR_RETURN(std::string text, s.store->Get(s.key));
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return Status::InvalidData(summary_uri + ": " + parsed.status().message());
  const JsonValue& j = *parsed;
  if (j.kind != JsonValue::Kind::kObject) {
    return Status::InvalidData(summary_uri + ": a manifest summary must be a JSON object");
  }
  const JsonValue* data = j.Find("manifest");
  if (!data || data->kind != JsonValue::Kind::kString || data->string.empty()) {
    return Status::InvalidData(summary_uri +
                               ": the manifest summary has no \"manifest\" (the data file's URI)");
  }
  Manifest m;
  m.summary_uri = summary_uri;
  m.data_uri = data->string;
  m.size = JsonInt(j.Find("size"), 0);
  m.rows = JsonInt(j.Find("n_record"), -1);
  if (const JsonValue* fp = j.Find("fingerprint"); fp && fp->kind == JsonValue::Kind::kString) {
    m.fingerprint = fp->string;
  }
  if (const JsonValue* d = j.Find("details"); d && d->kind == JsonValue::Kind::kObject) {
    // Re-serialize the details object compactly.
    std::function<void(JsonWriter&, const JsonValue&)> emit = [&](JsonWriter& w,
                                                                  const JsonValue& v) {
      switch (v.kind) {
        case JsonValue::Kind::kNull: w.Null(); break;
        case JsonValue::Kind::kBool: w.Bool(v.boolean); break;
        case JsonValue::Kind::kNumber: w.Raw(v.string); break;
        case JsonValue::Kind::kString: w.String(v.string); break;
        case JsonValue::Kind::kArray:
          w.BeginArray();
          for (const auto& e : v.array) emit(w, e);
          w.EndArray();
          break;
        case JsonValue::Kind::kObject:
          w.BeginObject();
          for (const auto& [k, e] : v.object) {
            w.Key(k);
            emit(w, e);
          }
          w.EndObject();
          break;
      }
    };
    JsonWriter w;
    emit(w, *d);
    m.details_json = w.str();
  }
  return m;
}

Result<Manifest> ReadManifest(const std::string& summary_uri, std::shared_ptr<ObjectStore> store,
                              const StoreOptions& options) {
  LP_ASSIGN_OR_RETURN(Manifest m, ReadManifestSummary(summary_uri, store, options));
  LP_ASSIGN_OR_RETURN(StoreLocation d, Resolve(m.data_uri, store, options));
  LP_ASSIGN_OR_RETURN(std::string bytes, d.store->Get(d.key));
  LP_ASSIGN_OR_RETURN(m.files, ParseDataParquet(bytes, m.data_uri));
  if (m.size == 0 || m.rows < 0) {  // summaries written without totals: derive them
    Manifest derived = MakeManifest(m.files, "", "");
    if (m.size == 0) m.size = derived.size;
    if (m.rows < 0) m.rows = derived.rows;
  }
  if (m.fingerprint.empty()) m.fingerprint = Fingerprint(m.files);
  return m;
}

std::string FormatPartition(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out;
  for (const auto& [k, v] : kv) {
    if (!out.empty()) out += '/';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParsePartition(std::string_view path) {
  std::vector<std::pair<std::string, std::string>> kv;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (!seg.empty()) {
      size_t eq = seg.find('=');
      if (eq == std::string_view::npos) {
        return Status::InvalidData("partition segment '" + std::string(seg) + "' has no '='");
      }
      kv.emplace_back(std::string(seg.substr(0, eq)), std::string(seg.substr(eq + 1)));
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return kv;
}

}  // namespace lakepack::manifest
