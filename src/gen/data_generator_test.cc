// Tests of the fake-data generator: determinism, schema, nulls, well-formed values, the reader.
#include "gen/data_generator.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "arrow/api.h"
#include "gen/generating_reader.h"

namespace lakepack::gen {
namespace {

std::shared_ptr<DataGenerator> Gen(DataGeneratorOptions o) {
  auto g = DataGenerator::Make(o);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return *g;
}

std::shared_ptr<arrow::RecordBatch> Batch(const DataGenerator& g, int64_t i) {
  auto b = g.MakeBatch(i);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return *b;
}

// Reads every batch of a reader over `rows` rows.
std::vector<std::shared_ptr<arrow::RecordBatch>> ReadAll(DataGeneratorOptions o, int64_t rows) {
  auto reader = GeneratingReader::Make(Gen(o), rows);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<std::shared_ptr<arrow::RecordBatch>> out;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> b;
    auto st = (*reader)->ReadNext(&b);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok() || !b) break;
    out.push_back(b);
  }
  return out;
}

TEST(DataGeneratorTest, SchemaHasTheDocumentedColumnsAndTypes) {
  auto s = DataGenerator::Schema();
  const std::vector<std::pair<std::string, std::shared_ptr<arrow::DataType>>> expected = {
      {"id", arrow::int64()},
      {"first_name", arrow::utf8()},
      {"last_name", arrow::utf8()},
      {"email", arrow::utf8()},
      {"phone", arrow::utf8()},
      {"street_address", arrow::utf8()},
      {"city", arrow::utf8()},
      {"country", arrow::utf8()},
      {"postcode", arrow::utf8()},
      {"company", arrow::utf8()},
      {"job", arrow::utf8()},
      {"category", arrow::utf8()},
      {"signup_date", arrow::date32()},
      {"last_login", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")},
      {"amount", arrow::decimal128(12, 2)},
      {"score", arrow::float64()},
      {"is_active", arrow::boolean()},
      {"referrer_id", arrow::int64()},
      {"notes", arrow::utf8()},
  };
  ASSERT_EQ(s->num_fields(), static_cast<int>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(s->field(i)->name(), expected[i].first);
    EXPECT_TRUE(s->field(i)->type()->Equals(*expected[i].second)) << s->field(i)->ToString();
  }
  std::set<std::string> nullable;
  for (auto& f : s->fields()) {
    if (f->nullable()) nullable.insert(f->name());
  }
  EXPECT_EQ(nullable, (std::set<std::string>{"last_login", "referrer_id", "notes"}));
}

TEST(DataGeneratorTest, BatchesAreValidAndMatchTheSchema) {
  DataGeneratorOptions o;
  o.batch_rows = 5000;
  auto g = Gen(o);
  auto b = Batch(*g, 3);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->num_rows(), 5000);
  EXPECT_TRUE(b->schema()->Equals(*DataGenerator::Schema()));
  auto st = b->ValidateFull();
  EXPECT_TRUE(st.ok()) << st.ToString();
  for (int c = 0; c < b->num_columns(); ++c) {
    if (!b->schema()->field(c)->nullable()) EXPECT_EQ(b->column(c)->null_count(), 0) << c;
  }
}

TEST(DataGeneratorTest, SameSeedSameBatchDifferentSeedDifferentBatch) {
  DataGeneratorOptions o;
  o.batch_rows = 2000;
  o.seed = 7;
  auto a = Batch(*Gen(o), 5);
  auto b = Batch(*Gen(o), 5);
  EXPECT_TRUE(a->Equals(*b));
  o.seed = 8;
  auto c = Batch(*Gen(o), 5);
  EXPECT_FALSE(a->Equals(*c));
  // Every generated column changes with the seed, except the sequential id.
  for (int i = 1; i < a->num_columns(); ++i) {
    EXPECT_FALSE(a->column(i)->Equals(*c->column(i))) << a->schema()->field(i)->name();
  }
  // Different batches of one seed differ too.
  o.seed = 7;
  auto d = Batch(*Gen(o), 6);
  EXPECT_FALSE(a->column(3)->Equals(*d->column(3)));
}

TEST(DataGeneratorTest, ShortBatchIsAPrefixOfTheFullBatch) {
  DataGeneratorOptions o;
  o.batch_rows = 1000;
  auto g = Gen(o);
  auto full = Batch(*g, 2);
  auto part = g->MakeBatch(2, 317);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ((*part)->num_rows(), 317);
  EXPECT_TRUE((*part)->Equals(*full->Slice(0, 317)));
  EXPECT_FALSE(g->MakeBatch(2, 1001).ok());
  EXPECT_FALSE(g->MakeBatch(-1, 10).ok());
}

TEST(DataGeneratorTest, ReaderOutputIsTheSameForOneAndFourThreads) {
  DataGeneratorOptions o;
  o.batch_rows = 3000;
  o.seed = 1234;
  const int64_t rows = 3000 * 9 + 123;  // a short last batch
  o.threads = 1;
  auto one = ReadAll(o, rows);
  o.threads = 4;
  o.lookahead = 3;
  auto four = ReadAll(o, rows);
  ASSERT_EQ(one.size(), 10u);
  ASSERT_EQ(four.size(), one.size());
  int64_t total = 0;
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_TRUE(one[i]->Equals(*four[i])) << "batch " << i;
    total += one[i]->num_rows();
  }
  EXPECT_EQ(total, rows);
  EXPECT_EQ(one.back()->num_rows(), 123);
}

TEST(DataGeneratorTest, IdsAreSequentialAcrossBatches) {
  DataGeneratorOptions o;
  o.batch_rows = 777;
  o.threads = 2;
  auto batches = ReadAll(o, 777 * 4 + 5);
  int64_t expected = 0;
  for (auto& b : batches) {
    auto ids = std::static_pointer_cast<arrow::Int64Array>(b->GetColumnByName("id"));
    for (int64_t i = 0; i < ids->length(); ++i) ASSERT_EQ(ids->Value(i), expected++);
  }
  EXPECT_EQ(expected, 777 * 4 + 5);
}

TEST(DataGeneratorTest, NullFractionIsRoughlyAsConfigured) {
  for (double fraction : {0.0, 0.2, 0.5}) {
    DataGeneratorOptions o;
    o.batch_rows = 20000;
    o.null_fraction = fraction;
    auto b = Batch(*Gen(o), 1);
    for (const char* name : {"notes", "last_login", "referrer_id"}) {
      double got = static_cast<double>(b->GetColumnByName(name)->null_count()) / b->num_rows();
      EXPECT_NEAR(got, fraction, 0.015) << name << " at " << fraction;
    }
  }
  DataGeneratorOptions bad;
  bad.null_fraction = 1.5;
  EXPECT_FALSE(DataGenerator::Make(bad).ok());
  bad = {};
  bad.batch_rows = 0;
  EXPECT_FALSE(DataGenerator::Make(bad).ok());
}

TEST(DataGeneratorTest, ValuesAreWellFormed) {
  DataGeneratorOptions o;
  o.batch_rows = 5000;
  auto b = Batch(*Gen(o), 0);
  auto str = [&](const char* name) {
    return std::static_pointer_cast<arrow::StringArray>(b->GetColumnByName(name));
  };
  const std::regex email("[a-z]+([._]?[a-z]+)?[0-9]{0,4}@[a-z]+(\\.[a-z]+)+");
  const std::regex phone("\\+1-[2-9][0-9]{2}-[2-9][0-9]{2}-[0-9]{4}");
  const std::regex postcode("[0-9]{5}");
  const std::regex street("[1-9][0-9]{0,3} [A-Z][a-z]+ [A-Z][a-z]+");
  auto emails = str("email"), first = str("first_name"), last = str("last_name");
  std::set<std::string> categories, domains;
  for (int64_t i = 0; i < b->num_rows(); ++i) {
    std::string e(emails->GetView(i));
    ASSERT_TRUE(std::regex_match(e, email)) << e;
    // The address is derived from the person's name.
    std::string lower_last(last->GetView(i));
    for (char& c : lower_last) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string lower_first(first->GetView(i));
    for (char& c : lower_first) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(e.find(lower_first) == 0 || e.find(lower_last) != std::string::npos) << e;
    domains.insert(e.substr(e.find('@') + 1));
    ASSERT_TRUE(std::regex_match(std::string(str("phone")->GetView(i)), phone));
    ASSERT_TRUE(std::regex_match(std::string(str("postcode")->GetView(i)), postcode));
    ASSERT_TRUE(std::regex_match(std::string(str("street_address")->GetView(i)), street))
        << str("street_address")->GetView(i);
    categories.insert(std::string(str("category")->GetView(i)));
  }
  EXPECT_EQ(categories.size(), 8u);  // low cardinality, all values used
  EXPECT_GT(domains.size(), 3u);

  auto signup = std::static_pointer_cast<arrow::Date32Array>(b->GetColumnByName("signup_date"));
  auto login = std::static_pointer_cast<arrow::TimestampArray>(b->GetColumnByName("last_login"));
  auto score = std::static_pointer_cast<arrow::DoubleArray>(b->GetColumnByName("score"));
  auto amount = std::static_pointer_cast<arrow::Decimal128Array>(b->GetColumnByName("amount"));
  auto ids = std::static_pointer_cast<arrow::Int64Array>(b->GetColumnByName("id"));
  auto ref = std::static_pointer_cast<arrow::Int64Array>(b->GetColumnByName("referrer_id"));
  auto active = std::static_pointer_cast<arrow::BooleanArray>(b->GetColumnByName("is_active"));
  auto notes = str("notes");
  int64_t active_count = 0;
  for (int64_t i = 0; i < b->num_rows(); ++i) {
    EXPECT_GE(signup->Value(i), 16436);  // 2015-01-01
    EXPECT_LE(signup->Value(i), 20088);  // 2024-12-31
    if (login->IsValid(i)) EXPECT_GE(login->Value(i), signup->Value(i) * 86400LL * 1000000);
    EXPECT_GE(score->Value(i), 0.0);
    EXPECT_LE(score->Value(i), 100.0);
    arrow::Decimal128 a(amount->GetValue(i));
    EXPECT_FALSE(a.IsNegative());
    EXPECT_LT(a, arrow::Decimal128(100000000));  // below 1,000,000.00
    if (ref->IsValid(i)) EXPECT_LT(ref->Value(i), ids->Value(i));
    active_count += active->Value(i);
    if (notes->IsValid(i)) {
      auto n = notes->GetView(i);
      EXPECT_TRUE(n.back() == '.' && n[0] >= 'A' && n[0] <= 'Z') << n;
    }
  }
  EXPECT_NEAR(static_cast<double>(active_count) / b->num_rows(), 0.8, 0.03);
  EXPECT_TRUE(ref->IsNull(0));  // customer 0 has nobody before it
}

TEST(DataGeneratorTest, UnboundedReaderKeepsGoingAndStopsOnClose) {
  DataGeneratorOptions o;
  o.batch_rows = 100;
  o.threads = 2;
  auto reader = GeneratingReader::Make(Gen(o), GeneratingReader::kUnbounded);
  ASSERT_TRUE(reader.ok());
  for (int i = 0; i < 50; ++i) {
    std::shared_ptr<arrow::RecordBatch> b;
    ASSERT_TRUE((*reader)->ReadNext(&b).ok());
    ASSERT_TRUE(b);
    EXPECT_EQ(b->num_rows(), 100);
  }
  EXPECT_EQ((*reader)->rows_read(), 5000);
  ASSERT_TRUE((*reader)->Close().ok());
  std::shared_ptr<arrow::RecordBatch> b;
  ASSERT_TRUE((*reader)->ReadNext(&b).ok());
  EXPECT_FALSE(b);
}

TEST(DataGeneratorTest, ZeroRowsGivesNoBatches) {
  DataGeneratorOptions o;
  EXPECT_TRUE(ReadAll(o, 0).empty());
}

}  // namespace
}  // namespace lakepack::gen
