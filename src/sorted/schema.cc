// schema.cc: TableSchema (lakepack/sorted.h) from Sleeper's schema JSON and from Arrow.
#include <set>

#include "arrow/type.h"
#include "base/json.h"
#include "lakepack/sorted.h"

namespace lakepack::sorted {
namespace {

Result<std::shared_ptr<arrow::DataType>> SleeperType(const JsonValue& v, bool key,
                                                     const std::string& where) {
  std::string name;
  const JsonValue* body = nullptr;
  if (v.kind == JsonValue::Kind::kString) {
    name = v.string;
  } else if (v.kind == JsonValue::Kind::kObject && v.object.size() == 1 &&
             v.object[0].second.kind == JsonValue::Kind::kObject) {
    name = v.object[0].first;  // {"ListType": {"elementType": ...}}
    body = &v.object[0].second;
  } else {
    return Status::InvalidArgument(where + ": line " + std::to_string(v.line) +
                                   ": a type is a name like \"LongType\"");
  }
  if (name == "IntType") return arrow::int32();
  if (name == "LongType") return arrow::int64();
  if (name == "StringType") return arrow::utf8();
  if (name == "ByteArrayType") return arrow::binary();
  if (key) {
    return Status::InvalidArgument(where + ": a key field's type must be IntType, LongType, "
                                           "StringType or ByteArrayType, not " + name);
  }
  if (name == "DoubleType") return arrow::float64();
  if (name == "FloatType") return arrow::float32();
  if (name == "BooleanType") return arrow::boolean();
  if (name == "ListType" && body) {
    const JsonValue* e = body->Find("elementType");
    if (!e) return Status::InvalidArgument(where + ": ListType needs an elementType");
    auto t = SleeperType(*e, false, where);
    if (!t.ok()) return t.status();
    return arrow::list(*t);
  }
  if (name == "MapType" && body) {
    const JsonValue* k = body->Find("keyType");
    const JsonValue* val = body->Find("valueType");
    if (!k || !val) return Status::InvalidArgument(where + ": MapType needs keyType and valueType");
    auto kt = SleeperType(*k, true, where);
    if (!kt.ok()) return kt.status();
    auto vt = SleeperType(*val, false, where);
    if (!vt.ok()) return vt.status();
    return arrow::map(*kt, *vt);
  }
  return Status::InvalidArgument(where + ": unknown type " + name);
}

std::string SleeperTypeJson(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::INT32: return "\"IntType\"";
    case arrow::Type::INT64: return "\"LongType\"";
    case arrow::Type::STRING: return "\"StringType\"";
    case arrow::Type::BINARY: return "\"ByteArrayType\"";
    case arrow::Type::DOUBLE: return "\"DoubleType\"";
    case arrow::Type::FLOAT: return "\"FloatType\"";
    case arrow::Type::BOOL: return "\"BooleanType\"";
    case arrow::Type::LIST:
      return "{\"ListType\":{\"elementType\":" +
             SleeperTypeJson(*static_cast<const arrow::ListType&>(t).value_type()) + "}}";
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapType&>(t);
      return "{\"MapType\":{\"keyType\":" + SleeperTypeJson(*m.key_type()) +
             ",\"valueType\":" + SleeperTypeJson(*m.item_type()) + "}}";
    }
    default: return JsonQuote(t.ToString());
  }
}

// Plain string/binary: files must not carry large or view types (pyarrow's kernels reject
// string_view, see research/missing-jobs.md 4.3).
std::shared_ptr<arrow::DataType> Plain(const std::shared_ptr<arrow::DataType>& t) {
  switch (t->id()) {
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW: return arrow::utf8();
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW: return arrow::binary();
    case arrow::Type::LARGE_LIST:
    case arrow::Type::LIST_VIEW:
    case arrow::Type::LARGE_LIST_VIEW:
    case arrow::Type::LIST:
      return arrow::list(
          Plain(static_cast<const arrow::BaseListType&>(*t).value_type()));
    default: return t;
  }
}

Result<KeyType> KeyTypeOf(const arrow::DataType& t, const std::string& field) {
  switch (t.id()) {
    case arrow::Type::INT32: return KeyType::kInt;
    case arrow::Type::INT64: return KeyType::kLong;
    case arrow::Type::STRING: return KeyType::kString;
    case arrow::Type::BINARY: return KeyType::kBytes;
    default:
      return Status::InvalidArgument("key field '" + field + "' has type " + t.ToString() +
                                     "; key fields are int32, int64, string or binary");
  }
}

}  // namespace

Result<TableSchema> TableSchema::FromSleeperJson(std::string_view json) {
  auto parsed = ParseJson(json);
  if (!parsed.ok()) return Status::InvalidArgument("schema JSON: " + parsed.status().message());
  const JsonValue& root = *parsed;
  if (root.kind != JsonValue::Kind::kObject) {
    return Status::InvalidArgument("schema JSON: expected an object with rowKeyFields");
  }
  arrow::FieldVector fields;
  std::vector<std::string> row_keys, sort_keys;
  const char* groups[] = {"rowKeyFields", "sortKeyFields", "valueFields"};
  for (int gi = 0; gi < 3; ++gi) {
    const JsonValue* list = root.Find(groups[gi]);
    if (!list) {
      if (gi == 0) return Status::InvalidArgument("schema JSON: no rowKeyFields");
      continue;
    }
    if (list->kind != JsonValue::Kind::kArray) {
      return Status::InvalidArgument(std::string("schema JSON: ") + groups[gi] +
                                     " must be an array");
    }
    for (const JsonValue& f : list->array) {
      const JsonValue* name = f.kind == JsonValue::Kind::kObject ? f.Find("name") : nullptr;
      const JsonValue* type = f.kind == JsonValue::Kind::kObject ? f.Find("type") : nullptr;
      std::string where = std::string("schema JSON: ") + groups[gi] + " line " +
                          std::to_string(f.line);
      if (!name || name->kind != JsonValue::Kind::kString || !type) {
        return Status::InvalidArgument(where + ": a field needs \"name\" and \"type\"");
      }
      where += " field '" + name->string + "'";
      JsonValue t = *type;
      if (t.kind == JsonValue::Kind::kString && (t.string == "ListType" || t.string == "MapType")) {
        // {"name":..,"type":"ListType","elementType":..}: the members beside the name.
        JsonValue wrapped;
        wrapped.kind = JsonValue::Kind::kObject;
        wrapped.object.push_back({t.string, f});
        t = wrapped;
      }
      auto dt = SleeperType(t, gi < 2, where);
      if (!dt.ok()) return dt.status();
      fields.push_back(arrow::field(name->string, *dt, /*nullable=*/gi == 2));
      if (gi == 0) row_keys.push_back(name->string);
      if (gi == 1) sort_keys.push_back(name->string);
    }
  }
  return FromArrow(arrow::Schema(fields), row_keys, sort_keys);
}

Result<TableSchema> TableSchema::FromArrow(const arrow::Schema& schema,
                                           const std::vector<std::string>& row_keys,
                                           const std::vector<std::string>& sort_keys) {
  if (row_keys.empty()) return Status::InvalidArgument("a sorted table needs a row key field");
  std::set<std::string> seen;
  for (const auto& f : schema.fields()) {
    if (!seen.insert(f->name()).second) {
      return Status::InvalidArgument("schema: field '" + f->name() + "' appears twice");
    }
  }
  TableSchema s;
  arrow::FieldVector fields;
  std::set<std::string> keys;
  for (const auto* names : {&row_keys, &sort_keys}) {
    for (const std::string& n : *names) {
      auto f = schema.GetFieldByName(n);
      if (!f) return Status::InvalidArgument("schema: key field '" + n + "' is not in the schema");
      if (!keys.insert(n).second) {
        return Status::InvalidArgument("schema: key field '" + n + "' is named twice");
      }
      auto t = Plain(f->type());
      auto kt = KeyTypeOf(*t, n);
      if (!kt.ok()) return kt.status();
      s.key_types_.push_back(*kt);
      fields.push_back(arrow::field(n, t, /*nullable=*/false));
    }
  }
  for (const auto& f : schema.fields()) {
    if (keys.count(f->name())) continue;
    fields.push_back(arrow::field(f->name(), Plain(f->type()), /*nullable=*/true));
  }
  s.schema_ = arrow::schema(fields);
  s.num_row_keys_ = static_cast<int>(row_keys.size());
  s.num_sort_keys_ = static_cast<int>(sort_keys.size());
  return s;
}

std::string TableSchema::ToSleeperJson() const {
  std::string out = "{";
  const char* groups[] = {"rowKeyFields", "sortKeyFields", "valueFields"};
  int begin[] = {0, num_row_keys_, num_keys()};
  int end[] = {num_row_keys_, num_keys(), schema_->num_fields()};
  for (int g = 0; g < 3; ++g) {
    if (g) out += ",";
    out += "\"" + std::string(groups[g]) + "\":[";
    for (int i = begin[g]; i < end[g]; ++i) {
      if (i > begin[g]) out += ",";
      out += "{\"name\":" + JsonQuote(schema_->field(i)->name()) +
             ",\"type\":" + SleeperTypeJson(*schema_->field(i)->type()) + "}";
    }
    out += "]";
  }
  return out + "}";
}

const std::string& TableSchema::field_name(int i) const { return schema_->field(i)->name(); }

int TableSchema::FieldIndex(std::string_view name) const {
  return schema_->GetFieldIndex(std::string(name));
}

Status TableOptions::Validate() const {
  if (row_group_rows < 1 || page_rows < 1) {
    return Status::InvalidArgument("sorted: row_group_rows and page_rows must be at least 1");
  }
  if (buffer_bytes < (1 << 20)) {
    return Status::InvalidArgument("sorted: buffer_bytes must be at least 1 MiB");
  }
  if (checkpoint_every < 1) return Status::InvalidArgument("sorted: checkpoint_every must be >= 1");
  return Status::OK();
}

}  // namespace lakepack::sorted
