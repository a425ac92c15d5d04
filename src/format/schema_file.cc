#include "format/schema_file.h"

#include <cctype>
#include <charconv>

#include "arrow/type.h"
#include "base/json.h"

namespace lakepack::format {
namespace {

// Recursive-descent parser over one type name.
class TypeParser {
 public:
  explicit TypeParser(std::string_view s) : s_(s) {}

  Result<std::shared_ptr<arrow::DataType>> Parse() {
    LP_ASSIGN_OR_RETURN(auto type, Type(0));
    Space();
    if (i_ != s_.size()) return Error("unexpected '" + std::string(s_.substr(i_)) + "'");
    return type;
  }

 private:
  // Types nest rarely more than a few levels; this bounds the recursion on hostile input.
  static constexpr int kMaxDepth = 32;

  Status Error(const std::string& what) const {
    return Status::InvalidArgument("bad type '" + std::string(s_) + "': " + what);
  }
  void Space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Eat(char c) {
    Space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::string Word() {
    Space();
    size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) {
      ++i_;
    }
    std::string w(s_.substr(start, i_ - start));
    for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return w;
  }
  Result<int> Int() {
    Space();
    int v = 0;
    auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
    if (ec != std::errc()) return Error("expected a number at offset " + std::to_string(i_));
    i_ = p - s_.data();
    return v;
  }
  Result<arrow::TimeUnit::type> Unit() {
    std::string u = Word();
    if (u == "s") return arrow::TimeUnit::SECOND;
    if (u == "ms") return arrow::TimeUnit::MILLI;
    if (u == "us") return arrow::TimeUnit::MICRO;
    if (u == "ns") return arrow::TimeUnit::NANO;
    return Error("unknown time unit '" + u + "' (use s, ms, us or ns)");
  }
  // The text up to `stop` (exclusive), trimmed.
  std::string Until(char stop) {
    Space();
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] != stop) ++i_;
    std::string out(s_.substr(start, i_ - start));
    while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
    return out;
  }

  Result<std::shared_ptr<arrow::DataType>> Type(int depth) {
    if (depth > kMaxDepth) return Error("nested too deeply");
    std::string w = Word();
    if (w.empty()) return Error("expected a type name at offset " + std::to_string(i_));
    static const std::pair<const char*, const std::shared_ptr<arrow::DataType>& (*)()> kSimple[] = {
        {"null", arrow::null},
        {"bool", arrow::boolean},
        {"boolean", arrow::boolean},
        {"int8", arrow::int8},
        {"int16", arrow::int16},
        {"int32", arrow::int32},
        {"int64", arrow::int64},
        {"uint8", arrow::uint8},
        {"uint16", arrow::uint16},
        {"uint32", arrow::uint32},
        {"uint64", arrow::uint64},
        {"float16", arrow::float16},
        {"halffloat", arrow::float16},
        {"float32", arrow::float32},
        {"float", arrow::float32},
        {"float64", arrow::float64},
        {"double", arrow::float64},
        {"string", arrow::utf8},
        {"utf8", arrow::utf8},
        {"large_string", arrow::large_utf8},
        {"large_utf8", arrow::large_utf8},
        {"binary", arrow::binary},
        {"large_binary", arrow::large_binary},
        {"date32", arrow::date32},
        {"date64", arrow::date64},
    };
    for (const auto& [name, make] : kSimple) {
      if (w == name) return make();
    }
    if (w == "timestamp" || w == "duration" || w == "time32" || w == "time64") {
      if (!Eat('[')) return Error(w + " needs a unit, e.g. " + w + "[ms]");
      LP_ASSIGN_OR_RETURN(auto unit, Unit());
      std::string tz;
      if (w == "timestamp" && Eat(',')) {
        Space();
        if (s_.substr(i_, 3) == "tz=") i_ += 3;
        tz = Until(']');
        if (tz.empty()) return Error("empty time zone");
      }
      if (!Eat(']')) return Error("expected ']'");
      if (w == "timestamp") return arrow::timestamp(unit, tz);
      if (w == "duration") return arrow::duration(unit);
      if (w == "time32") {
        if (unit != arrow::TimeUnit::SECOND && unit != arrow::TimeUnit::MILLI) {
          return Error("time32 takes s or ms");
        }
        return arrow::time32(unit);
      }
      if (unit != arrow::TimeUnit::MICRO && unit != arrow::TimeUnit::NANO) {
        return Error("time64 takes us or ns");
      }
      return arrow::time64(unit);
    }
    if (w == "decimal" || w == "decimal128" || w == "decimal256") {
      if (!Eat('(')) return Error(w + " needs (precision, scale), e.g. decimal128(12,2)");
      LP_ASSIGN_OR_RETURN(int precision, Int());
      int scale = 0;
      if (Eat(',')) {
        LP_ASSIGN_OR_RETURN(scale, Int());
      }
      if (!Eat(')')) return Error("expected ')'");
      const int max_precision = w == "decimal256" ? 76 : 38;
      if (precision < 1 || precision > max_precision) {
        return Error("precision " + std::to_string(precision) + " is outside 1.." +
                     std::to_string(max_precision));
      }
      if (scale < 0 || scale > precision) {
        return Error("scale " + std::to_string(scale) + " is outside 0..precision");
      }
      if (w == "decimal256") return arrow::decimal256(precision, scale);
      return arrow::decimal128(precision, scale);
    }
    if (w == "list" || w == "large_list") {
      if (!Eat('<')) return Error(w + " needs an item type, e.g. " + w + "<int64>");
      // Arrow prints "list<item: int64>": skip an optional field name.
      size_t save = i_;
      std::string maybe_name = Word();
      if (!maybe_name.empty() && Eat(':')) {
        // name skipped
      } else {
        i_ = save;
      }
      LP_ASSIGN_OR_RETURN(auto item, Type(depth + 1));
      if (!Eat('>')) return Error("expected '>'");
      if (w == "list") return arrow::list(item);
      return arrow::large_list(item);
    }
    if (w == "struct") {
      if (!Eat('<')) return Error("struct needs fields, e.g. struct<a: int64, b: string>");
      arrow::FieldVector fields;
      if (!Eat('>')) {
        do {
          Space();
          size_t start = i_;
          while (i_ < s_.size() && s_[i_] != ':' && s_[i_] != '>' && s_[i_] != ',') ++i_;
          std::string name(s_.substr(start, i_ - start));
          while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) {
            name.pop_back();
          }
          if (name.empty() || !Eat(':')) return Error("struct fields are 'name: type'");
          LP_ASSIGN_OR_RETURN(auto t, Type(depth + 1));
          fields.push_back(arrow::field(name, t));
        } while (Eat(','));
        if (!Eat('>')) return Error("expected '>' closing the struct");
      }
      return arrow::struct_(fields);
    }
    return Error("unknown type name '" + w + "'");
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Result<std::shared_ptr<arrow::DataType>> ParseTypeName(std::string_view name) {
  return TypeParser(name).Parse();
}

Result<std::shared_ptr<arrow::Schema>> ParseSchemaJson(std::string_view text,
                                                       const std::string& source) {
  auto doc = ParseJson(text);
  if (!doc.ok()) return doc.status().WithContext(source);
  const JsonValue* columns = nullptr;
  if (doc->kind == JsonValue::Kind::kArray) {
    columns = &*doc;
  } else if (doc->kind == JsonValue::Kind::kObject) {
    columns = doc->Find("columns");
    if (!columns) columns = doc->Find("fields");
  }
  if (!columns || columns->kind != JsonValue::Kind::kArray) {
    return Status::InvalidArgument(source +
                                   ": a schema file is {\"columns\": [{\"name\": ..., \"type\": "
                                   "...}, ...]}; no \"columns\" array found");
  }
  if (columns->array.empty()) return Status::InvalidArgument(source + ": no columns");
  arrow::FieldVector fields;
  for (size_t i = 0; i < columns->array.size(); ++i) {
    const JsonValue& col = columns->array[i];
    std::string where =
        source + ": line " + std::to_string(col.line) + ": column #" + std::to_string(i + 1);
    if (col.kind != JsonValue::Kind::kObject) {
      return Status::InvalidArgument(where + ": expected an object, found " +
                                     JsonValue::KindName(col.kind));
    }
    const JsonValue* name = col.Find("name");
    if (!name || name->kind != JsonValue::Kind::kString || name->string.empty()) {
      return Status::InvalidArgument(where + ": needs a non-empty \"name\" string");
    }
    where += " ('" + name->string + "')";
    const JsonValue* type = col.Find("type");
    if (!type || type->kind != JsonValue::Kind::kString) {
      return Status::InvalidArgument(where + ": needs a \"type\" string, e.g. \"int64\"");
    }
    bool nullable = true;
    if (const JsonValue* n = col.Find("nullable")) {
      if (n->kind != JsonValue::Kind::kBool) {
        return Status::InvalidArgument(where + ": \"nullable\" must be true or false");
      }
      nullable = n->boolean;
    }
    for (const auto& [key, value] : col.object) {
      if (key != "name" && key != "type" && key != "nullable") {
        return Status::InvalidArgument(where + ": unknown member \"" + key + "\"");
      }
    }
    for (const auto& f : fields) {
      if (f->name() == name->string) {
        return Status::InvalidArgument(where + ": duplicate column name");
      }
    }
    auto t = ParseTypeName(type->string);
    if (!t.ok()) return t.status().WithContext(where);
    fields.push_back(arrow::field(name->string, *t, nullable));
  }
  return arrow::schema(fields);
}

Result<std::shared_ptr<arrow::Schema>> LoadSchemaFile(const std::string& uri,
                                                      const StoreOptions& options) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, options));
  auto text = loc.store->Get(loc.key);
  if (!text.ok()) return text.status().WithContext("schema file " + uri);
  return ParseSchemaJson(*text, uri);
}

}  // namespace lakepack::format
