#include "format/inspect.h"

#include <cstdio>

#include "arrow/type.h"
#include "arrow/util/key_value_metadata.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/jsonl_writer.h"
#include "parquet/file_reader.h"
#include "parquet/metadata.h"
#include "parquet/schema.h"

namespace lakepack::format {
namespace {

// Arrow's serialized schema is a long base64 blob: shown by size only.
constexpr size_t kMaxMetadataValueChars = 200;

std::string CodecName(parquet::Compression::type c) { return CompressionName(c); }

const char* VersionName(parquet::ParquetVersion::type v) {
  switch (v) {
    case parquet::ParquetVersion::PARQUET_1_0:
      return "1.0";
    case parquet::ParquetVersion::PARQUET_2_4:
      return "2.4";
    case parquet::ParquetVersion::PARQUET_2_6:
      return "2.6";
    default:
      return "2.x";
  }
}

Status InspectParquet(std::shared_ptr<ObjectStore> store, const std::string& key,
                      const ReadOptions& options, FileFacts* facts) {
  // The reader gives the schema as Arrow sees it (and validates the footer with our messages).
  LP_ASSIGN_OR_RETURN(auto reader, OpenBatchReader(store, key, Format::kParquet, options));
  facts->schema = reader->schema();
  LP_ASSIGN_OR_RETURN(auto file, OpenInputFile(store, key));
  std::unique_ptr<parquet::ParquetFileReader> pq;
  try {
    pq = parquet::ParquetFileReader::Open(file);
  } catch (const std::exception& e) {
    return Status::InvalidData(facts->name + ": not a valid Parquet file: " + e.what());
  }
  auto md = pq->metadata();
  facts->rows = md->num_rows();
  facts->created_by = md->created_by();
  facts->format_version = VersionName(md->version());
  facts->footer_bytes = md->size();
  for (int g = 0; g < md->num_row_groups(); ++g) {
    auto rg = md->RowGroup(g);
    RowGroupFacts r;
    r.rows = rg->num_rows();
    r.uncompressed_bytes = rg->total_byte_size();
    for (int c = 0; c < rg->num_columns(); ++c) {
      auto col = rg->ColumnChunk(c);
      ColumnChunkFacts cf;
      cf.path = col->path_in_schema()->ToDotString();
      cf.codec = CodecName(col->compression());
      cf.compressed_bytes = col->total_compressed_size();
      cf.uncompressed_bytes = col->total_uncompressed_size();
      r.compressed_bytes += cf.compressed_bytes;
      r.columns.push_back(std::move(cf));
    }
    facts->row_groups.push_back(std::move(r));
  }
  if (auto kv = md->key_value_metadata()) {
    for (int64_t i = 0; i < kv->size(); ++i) {
      std::string v = kv->value(i);
      if (v.size() > kMaxMetadataValueChars) {
        v = "<" + std::to_string(v.size()) + " bytes>";
      }
      facts->metadata.emplace_back(kv->key(i), v);
    }
  }
  return Status::OK();
}

std::string Field(const arrow::Field& f) {
  return f.name() + ": " + f.type()->ToString() + (f.nullable() ? "" : " not null");
}

}  // namespace

Result<FileFacts> InspectFile(std::shared_ptr<ObjectStore> store, const std::string& key,
                              Format format, const ReadOptions& options) {
  FileFacts facts;
  facts.name = options.display_name.empty() ? store->Uri(key) : options.display_name;
  facts.format = format;
  LP_ASSIGN_OR_RETURN(ObjectInfo info, store->Head(key));
  facts.size = info.size;
  if (format == Format::kParquet) {
    LP_RETURN_NOT_OK(InspectParquet(store, key, options, &facts));
    return facts;
  }
  LP_ASSIGN_OR_RETURN(auto reader, OpenBatchReader(store, key, format, options));
  facts.schema = reader->schema();
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    LP_RETURN_NOT_OK(FromArrow(reader->ReadNext(&batch)));
    if (!batch) break;
    facts.rows += batch->num_rows();
  }
  return facts;
}

std::string RenderText(const FileFacts& f) {
  std::string out;
  char buf[256];
  out += "file:    " + f.name + "\n";
  out += std::string("format:  ") + FormatName(f.format) + "\n";
  out += "size:    " + std::to_string(f.size) + " bytes\n";
  out += "rows:    " + std::to_string(f.rows) + "\n";
  if (f.format == Format::kParquet) {
    out += "created: " + f.created_by + "\n";
    out += "version: " + f.format_version + "\n";
  }
  out += "schema:\n";
  if (f.schema) {
    for (const auto& field : f.schema->fields()) out += "  " + Field(*field) + "\n";
  }
  if (!f.row_groups.empty()) {
    out += "row groups: " + std::to_string(f.row_groups.size()) + "\n";
    for (size_t g = 0; g < f.row_groups.size(); ++g) {
      const auto& rg = f.row_groups[g];
      std::snprintf(buf, sizeof buf,
                    "  #%zu: %lld rows, %lld bytes compressed, %lld uncompressed\n", g,
                    static_cast<long long>(rg.rows), static_cast<long long>(rg.compressed_bytes),
                    static_cast<long long>(rg.uncompressed_bytes));
      out += buf;
      for (const auto& c : rg.columns) {
        std::snprintf(buf, sizeof buf, "      %-24s %-7s %lld → %lld bytes\n", c.path.c_str(),
                      c.codec.c_str(), static_cast<long long>(c.uncompressed_bytes),
                      static_cast<long long>(c.compressed_bytes));
        out += buf;
      }
    }
  }
  if (!f.metadata.empty()) {
    out += "metadata:\n";
    for (const auto& [k, v] : f.metadata) out += "  " + k + " = " + v + "\n";
  }
  return out;
}

std::string RenderJson(const FileFacts& f) {
  std::string o = "{\"file\":";
  AppendJsonString(f.name, &o);
  o += ",\"format\":\"" + std::string(FormatName(f.format)) + "\"";
  o += ",\"size\":" + std::to_string(f.size);
  o += ",\"rows\":" + std::to_string(f.rows);
  o += ",\"schema\":[";
  if (f.schema) {
    for (int i = 0; i < f.schema->num_fields(); ++i) {
      const auto& field = f.schema->field(i);
      if (i) o += ",";
      o += "{\"name\":";
      AppendJsonString(field->name(), &o);
      o += ",\"type\":";
      AppendJsonString(field->type()->ToString(), &o);
      o += std::string(",\"nullable\":") + (field->nullable() ? "true" : "false") + "}";
    }
  }
  o += "]";
  if (f.format == Format::kParquet) {
    o += ",\"created_by\":";
    AppendJsonString(f.created_by, &o);
    o += ",\"format_version\":\"" + f.format_version + "\"";
    o += ",\"footer_bytes\":" + std::to_string(f.footer_bytes);
    o += ",\"row_groups\":[";
    for (size_t g = 0; g < f.row_groups.size(); ++g) {
      const auto& rg = f.row_groups[g];
      if (g) o += ",";
      o += "{\"rows\":" + std::to_string(rg.rows) +
           ",\"compressed_bytes\":" + std::to_string(rg.compressed_bytes) +
           ",\"uncompressed_bytes\":" + std::to_string(rg.uncompressed_bytes) + ",\"columns\":[";
      for (size_t c = 0; c < rg.columns.size(); ++c) {
        const auto& col = rg.columns[c];
        if (c) o += ",";
        o += "{\"path\":";
        AppendJsonString(col.path, &o);
        o += ",\"codec\":\"" + col.codec +
             "\",\"compressed_bytes\":" + std::to_string(col.compressed_bytes) +
             ",\"uncompressed_bytes\":" + std::to_string(col.uncompressed_bytes) + "}";
      }
      o += "]}";
    }
    o += "],\"metadata\":{";
    for (size_t i = 0; i < f.metadata.size(); ++i) {
      if (i) o += ",";
      AppendJsonString(f.metadata[i].first, &o);
      o += ":";
      AppendJsonString(f.metadata[i].second, &o);
    }
    o += "}";
  }
  o += "}\n";
  return o;
}

}  // namespace lakepack::format
