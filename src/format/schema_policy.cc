// schema_policy.cc: see schema_policy.h.
#include "format/schema_policy.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "arrow/array/util.h"
#include "arrow/compute/cast.h"
#include "arrow/type.h"

namespace lakepack::format {
namespace {

std::string Quoted(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", '" : "'") + names[i] + "'";
  return s;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool IsNullType(const arrow::DataType& t) { return t.id() == arrow::Type::NA; }

}  // namespace

Result<SchemaMismatch> ParseSchemaMismatch(std::string_view name) {
  if (name == "fail") return SchemaMismatch::kFail;
  if (name == "union") return SchemaMismatch::kUnion;
  if (name == "drop") return SchemaMismatch::kDrop;
  return Status::InvalidArgument("unknown schema-mismatch policy '" + std::string(name) +
                                 "' (use fail, union or drop)");
}

const char* SchemaMismatchName(SchemaMismatch policy) {
  switch (policy) {
    case SchemaMismatch::kFail:
      return "fail";
    case SchemaMismatch::kUnion:
      return "union";
    case SchemaMismatch::kDrop:
      return "drop";
  }
  return "?";
}

std::string DescribeColumns(const arrow::Schema& schema) {
  std::string s;
  for (int i = 0; i < schema.num_fields(); ++i) {
    s += (i ? ", " : "") + schema.field(i)->name() + ": " + schema.field(i)->type()->ToString();
  }
  return s;
}

Status MergeSchema(const arrow::Schema& input, std::string_view input_name,
                   std::string_view target_source, SchemaMismatch policy,
                   std::shared_ptr<arrow::Schema>* target) {
  // An input of no columns (an empty CSV or JSON Lines file) has nothing to merge.
  if (input.num_fields() == 0) return Status::OK();
  std::vector<std::string> extra, missing;
  arrow::FieldVector fields = (*target)->fields();
  for (const auto& f : input.fields()) {
    int i = (*target)->GetFieldIndex(f->name());
    if (i < 0) {
      extra.push_back(f->name());
      continue;
    }
    if (IsNullType(*fields[i]->type()) && !IsNullType(*f->type())) {
      fields[i] = fields[i]->WithType(f->type())->WithNullable(true);  // null widens to any type
    }
  }
  for (const auto& f : (*target)->fields()) {
    if (input.GetFieldIndex(f->name()) < 0) missing.push_back(f->name());
  }
  if (policy == SchemaMismatch::kFail && (!extra.empty() || !missing.empty())) {
    std::string msg = std::string(input_name) + ": its columns differ from the target schema (" +
                      std::string(target_source) + ": " + DescribeColumns(**target) + "):";
    if (!extra.empty()) msg += " not in the target: " + Quoted(extra) + ";";
    if (!missing.empty()) msg += " missing from the input: " + Quoted(missing) + ";";
    for (const auto& e : extra) {
      for (const auto& m : missing) {
        if (Lower(e) == Lower(m)) msg += " '" + e + "' and '" + m + "' differ only in case;";
      }
    }
    msg +=
        " nothing was written. Fix the input, give a schema, or choose a policy: "
        "on-schema-mismatch union (add new columns as nullable; rows without them get nulls) or "
        "drop (keep the target's columns; extra ones are dropped, missing ones are null)";
    return Status::InvalidData(msg);
  }
  if (policy == SchemaMismatch::kUnion) {
    for (const auto& name : extra) {
      fields.push_back(input.GetFieldByName(name)->WithNullable(true));
    }
  }
  *target = arrow::schema(std::move(fields), (*target)->metadata());
  return Status::OK();
}

std::shared_ptr<arrow::Schema> ReadSchemaFor(const arrow::Schema& input,
                                             const arrow::Schema& target) {
  arrow::FieldVector fields;
  for (const auto& f : input.fields()) {
    auto t = target.GetFieldByName(f->name());
    fields.push_back(t && !IsNullType(*t->type()) ? f->WithType(t->type()) : f);
  }
  return arrow::schema(std::move(fields));
}

Result<std::shared_ptr<arrow::RecordBatch>> ConformBatch(
    const std::shared_ptr<arrow::RecordBatch>& batch, const std::shared_ptr<arrow::Schema>& target,
    const ConformOptions& o) {
  if (batch->schema()->Equals(*target, /*check_metadata=*/false)) return batch;
  const auto& have = *batch->schema();
  if (o.policy != SchemaMismatch::kDrop) {
    std::vector<std::string> extra;
    for (const auto& f : have.fields()) {
      if (target->GetFieldIndex(f->name()) < 0) extra.push_back(f->name());
    }
    if (!extra.empty()) {
      return Status::InvalidData(o.name + ": column(s) " + Quoted(extra) +
                                 " not in the target schema (" + DescribeColumns(*target) +
                                 "); choose on-schema-mismatch union or drop");
    }
  }
  std::vector<std::shared_ptr<arrow::Array>> columns;
  const int64_t rows = batch->num_rows();
  for (const auto& f : target->fields()) {
    int i = have.GetFieldIndex(f->name());
    if (i < 0) {
      if (o.policy == SchemaMismatch::kFail) {
        return Status::InvalidData(o.name + ": column '" + f->name() +
                                   "' of the target schema is missing; choose "
                                   "on-schema-mismatch union or drop to fill it with nulls");
      }
      auto nulls = arrow::MakeArrayOfNull(f->type(), rows);
      if (!nulls.ok()) return Status::Internal(nulls.status().ToString());
      columns.push_back(*nulls);
      continue;
    }
    std::shared_ptr<arrow::Array> col = batch->column(i);
    if (!col->type()->Equals(*f->type())) {
      if (IsNullType(*col->type())) {
        auto nulls = arrow::MakeArrayOfNull(f->type(), rows);
        if (!nulls.ok()) return Status::Internal(nulls.status().ToString());
        col = *nulls;
      } else if (!o.allow_cast) {
        return Status::InvalidArgument(o.name + ": column '" + f->name() + "' is " +
                                       col->type()->ToString() + " but the target schema has " +
                                       f->type()->ToString() + o.cast_hint);
      } else {
        auto cast = arrow::compute::Cast(*col, f->type());
        if (!cast.ok()) {
          return Status::InvalidData(o.name + ": rows " + std::to_string(o.first_row) + ".." +
                                     std::to_string(o.first_row + rows - 1) + ": column '" +
                                     f->name() + "': cannot cast " + col->type()->ToString() +
                                     " to " + f->type()->ToString() + ": " +
                                     cast.status().message());
        }
        col = *cast;
      }
    }
    columns.push_back(std::move(col));
  }
  return arrow::RecordBatch::Make(target, rows, std::move(columns));
}

}  // namespace lakepack::format
