#include "cli/cli.h"

#include "base/size.h"

namespace lakepack::cli {

const std::vector<OptionSpec> kGlobalOptions = {
    {"json", nullptr,
     "print the report (or the error) as one JSON object on stdout instead of text"},
    {"quiet", nullptr,
     "print nothing on success (no progress bar, no summary); errors still go to stderr"},
    {"endpoint-url", "URL",
     "S3 endpoint (default: AWS_ENDPOINT_URL, else AWS itself); e.g. http://127.0.0.1:7480"},
    {"region", "R",
     "S3 region (default: AWS_REGION / AWS_DEFAULT_REGION / the profile, else us-east-1)"},
    {"profile", "P",
     "profile of ~/.aws/config and credentials (default: AWS_PROFILE, else default)"},
    {"ca-bundle", "FILE",
     "PEM file of the CAs to trust for https:// endpoints (default: AWS_CA_BUNDLE, the "
     "profile's ca_bundle, else the system's); certificates are always verified"},
    {"help", nullptr, "show this help (also -h)"},
};

const OptionSpec* FindOption(const Verb& verb, const std::string& name) {
  for (const auto& o : verb.options) {
    if (name == o.name) return &o;
  }
  for (const auto& o : kGlobalOptions) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

Result<Args> Args::Parse(const std::vector<std::string>& argv, const Verb& verb) {
  Args a;
  a.verb_ = &verb;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (!options_done && s == "-h") {
      a.options_["help"].push_back("");
      continue;
    }
    if (!options_done && s.size() == 2 && s[0] == '-' && s[1] != '-') {
      const OptionSpec* spec = nullptr;
      for (const auto& o : verb.options) {
        if (o.short_name == s[1]) spec = &o;
      }
      if (spec == nullptr) return Status::InvalidArgument("unknown option " + s);
      if (spec->value == nullptr) {
        a.options_[spec->name].push_back("");
        continue;
      }
      if (i + 1 >= argv.size()) return Status::InvalidArgument("option " + s + " needs a value");
      a.options_[spec->name].push_back(argv[++i]);
      continue;
    }
    if (options_done || s.size() < 3 || s.compare(0, 2, "--") != 0) {
      if (s == "--" && !options_done) {
        options_done = true;
        continue;
      }
      a.positional_.push_back(s);
      continue;
    }
    std::string name = s.substr(2), value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* spec = FindOption(verb, name);
    if (spec == nullptr) return Status::InvalidArgument("unknown option --" + name);
    if (spec->value == nullptr) {
      if (has_value) return Status::InvalidArgument("option --" + name + " takes no value");
      a.options_[name].push_back("");
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argv.size())
        return Status::InvalidArgument("option --" + name + " needs a value");
      value = argv[++i];
    }
    a.options_[name].push_back(value);
  }
  return a;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  auto it = options_.find(name);
  return it == options_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = options_.find(name);
  return it == options_.end() ? std::vector<std::string>{} : it->second;
}

namespace {
Status Named(const std::string& name, const Status& st) {
  return Status(st.code(), "--" + name + ": " + st.message());
}
}  // namespace

Result<int64_t> Args::GetInt(const std::string& name, int64_t fallback, int64_t min_value,
                             int64_t max_value) const {
  if (!Has(name)) return fallback;
  auto v = ParseCount(Get(name), min_value, max_value);
  if (!v.ok()) return Named(name, v.status());
  return *v;
}

Result<int64_t> Args::GetSize(const std::string& name, int64_t fallback) const {
  if (!Has(name)) return fallback;
  auto v = ParseSize(Get(name));
  if (!v.ok()) return Named(name, v.status());
  return *v;
}

Result<int64_t> Args::GetSeconds(const std::string& name, int64_t fallback) const {
  if (!Has(name)) return fallback;
  auto v = ParseDurationMs(Get(name));
  if (!v.ok()) return Named(name, v.status());
  return (*v + 999) / 1000;
}

namespace {

// Help lines are wrapped at this width (a terminal's 100 columns minus a margin).
constexpr size_t kHelpWidth = 98;
constexpr size_t kHelpIndent = 26;

void AppendOptions(std::string* out, const std::vector<OptionSpec>& options) {
  for (const auto& o : options) {
    std::string line = std::string("  ") +
                       (o.short_name ? std::string("-") + o.short_name + ", " : std::string()) +
                       "--" + o.name + (o.value ? std::string(" ") + o.value : "");
    if (line.size() < kHelpIndent) {
      line.resize(kHelpIndent, ' ');
    } else {
      *out += line + "\n";
      line = std::string(kHelpIndent, ' ');
    }
    // Word-wrapped help text, continuation lines indented like the first.
    std::string_view help = o.help;
    bool first_word = true;
    while (!help.empty()) {
      size_t end = help.find(' ');
      std::string_view word = help.substr(0, end);
      help = end == std::string_view::npos ? std::string_view() : help.substr(end + 1);
      if (!first_word && line.size() + 1 + word.size() > kHelpWidth) {
        *out += line + "\n";
        line = std::string(kHelpIndent, ' ');
        first_word = true;
      }
      if (!first_word) line += ' ';
      line += word;
      first_word = false;
    }
    *out += line + "\n";
  }
}

}  // namespace

std::string VerbHelp(const Verb& verb) {
  std::string out = std::string("usage: lakepack ") + verb.name + " " + verb.args +
                    " [OPTIONS]\n\n" + verb.summary + "\n";
  if (verb.details != nullptr && verb.details[0] != '\0')
    out += std::string("\n") + verb.details + "\n";
  if (!verb.options.empty()) {
    out += "\noptions:\n";
    AppendOptions(&out, verb.options);
  }
  out += "\nglobal options (before or after the verb):\n";
  AppendOptions(&out, kGlobalOptions);
  out +=
      "\nexit codes: 0 ok, 1 failed, 2 usage error (nothing done), 130/143 interrupted by "
      "SIGINT/SIGTERM (nothing half-written is left)\n";
  return out;
}

StoreOptions StoreOptionsFrom(const Args& args) {
  StoreOptions o;
  o.endpoint_url = args.Get("endpoint-url");
  o.region = args.Get("region");
  o.profile = args.Get("profile");
  o.ca_bundle = args.Get("ca-bundle");
  return o;
}

const std::vector<OptionSpec>& CsvDialectOptions() {
  static const std::vector<OptionSpec> options = {
      {"delimiter", "C",
       "CSV field separator: one character, or tab (also \\t) (default ',', a tab for .tsv "
       "names)"},
      {"no-header", nullptr,
       "CSV: the first line is data, not column names; the columns are named f0, f1, ... "
       "(default: the first line names them)"},
      {"quote", "C|none",
       "CSV quote character, or none: quotes are ordinary characters (default '\"')"},
      {"null", "S",
       "CSV: an unquoted field S is null; repeat for several; the list replaces the default, so "
       "add --null '' to keep empty fields null (default: only an empty field is null)"}};
  return options;
}

std::vector<OptionSpec> WithOptions(std::vector<OptionSpec> options,
                                    const std::vector<OptionSpec>& more) {
  options.insert(options.end(), more.begin(), more.end());
  return options;
}

namespace {
// One character as the user may spell it: itself, "tab" or "\t".
Result<char> OneChar(const std::string& option, const std::string& v) {
  if (v == "tab" || v == "\\t" || v == "\t") return '\t';
  if (v.size() == 1) return v[0];
  return Status::InvalidArgument("--" + option + ": one character (or tab), not '" + v + "'");
}
}  // namespace

Result<format::CsvDialect> CsvDialectFrom(const Args& args) {
  format::CsvDialect d;
  if (args.Has("delimiter")) {
    LP_ASSIGN_OR_RETURN(char c, OneChar("delimiter", args.Get("delimiter")));
    d.delimiter = c;
  }
  d.header = !args.Has("no-header");
  if (args.Has("quote")) {
    if (args.Get("quote") == "none") {
      d.quoting = false;
    } else {
      LP_ASSIGN_OR_RETURN(d.quote, OneChar("quote", args.Get("quote")));
    }
  }
  if (args.Has("null")) d.null_values = args.GetAll("null");
  LP_RETURN_NOT_OK(d.Validate());
  return d;
}

}  // namespace lakepack::cli
