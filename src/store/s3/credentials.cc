#include "store/s3/credentials.h"

#include <sys/wait.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "store/s3/endpoint.h"
#include "store/s3/sts.h"
#include "store/s3/xml.h"

namespace lakepack::s3 {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Reads `path` into *out; false when it does not exist or cannot be read.
bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

// A minimal JSON reader for the flat object credential_process prints: string, number, bool and
// null values; nested values are rejected.  Returns key → raw value (strings unescaped).
Result<std::map<std::string, std::string>> ParseFlatJson(std::string_view s,
                                                         const std::string& what) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    return Status::InvalidData(what + ": " + why + " at offset " + std::to_string(i));
  };
  auto skip_ws = [&] {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  // Four hex digits at i (no sign, no "0x": exactly what JSON allows), advancing past them.
  auto hex4 = [&](uint32_t* cp) -> bool {
    if (i + 4 > s.size()) return false;
    *cp = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = s[i + k];
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) return false;
      *cp = *cp * 16 + static_cast<uint32_t>(d);
    }
    i += 4;
    return true;
  };
  auto read_string = [&](std::string* v) -> bool {
    if (i >= s.size() || s[i] != '"') return false;
    ++i;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c != '\\') {
        v->push_back(c);
        continue;
      }
      if (i >= s.size()) return false;
      char e = s[i++];
      switch (e) {
        case 'n':
          v->push_back('\n');
          break;
        case 't':
          v->push_back('\t');
          break;
        case 'r':
          v->push_back('\r');
          break;
        case 'b':
          v->push_back('\b');
          break;
        case 'f':
          v->push_back('\f');
          break;
        case 'u': {
          // \uXXXX, and a surrogate pair \uD8xx\uDCxx as one code point, as UTF-8.
          uint32_t cp = 0;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (i + 2 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return false;
            i += 2;
            if (!hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;  // a lone low surrogate
          }
          if (cp < 0x80) {
            v->push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            v->push_back(static_cast<char>(0xC0 | (cp >> 6)));
            v->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else if (cp < 0x10000) {
            v->push_back(static_cast<char>(0xE0 | (cp >> 12)));
            v->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            v->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            v->push_back(static_cast<char>(0xF0 | (cp >> 18)));
            v->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            v->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            v->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default:
          v->push_back(e);
      }
    }
    if (i >= s.size()) return false;
    ++i;
    return true;
  };
  skip_ws();
  if (i >= s.size() || s[i] != '{') return fail("expected a JSON object");
  ++i;
  skip_ws();
  if (i < s.size() && s[i] == '}') return out;
  while (true) {
    skip_ws();
    std::string key, value;
    if (!read_string(&key)) return fail("expected a quoted key (or a bad escape in it)");
    skip_ws();
    if (i >= s.size() || s[i] != ':') return fail("expected ':'");
    ++i;
    skip_ws();
    if (i < s.size() && s[i] == '"') {
      if (!read_string(&value)) return fail("unterminated string or bad escape");
    } else {
      size_t start = i;
      while (i < s.size() && s[i] != ',' && s[i] != '}' &&
             !std::isspace(static_cast<unsigned char>(s[i]))) {
        if (s[i] == '{' || s[i] == '[') return fail("nested values are not supported");
        ++i;
      }
      value = std::string(s.substr(start, i - start));
      if (value.empty()) return fail("expected a value");
    }
    out[key] = value;
    skip_ws();
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    if (i < s.size() && s[i] == '}') return out;
    return fail("expected ',' or '}'");
  }
}

struct Profile {
  std::map<std::string, std::string> credentials_file;  // [NAME] in the credentials file
  std::map<std::string, std::string> config_file;       // [profile NAME] in the config file
  std::string credentials_path, config_path;
  bool credentials_exists = false, config_exists = false;

  std::string Get(const std::string& key) const {
    if (auto it = credentials_file.find(key); it != credentials_file.end()) return it->second;
    if (auto it = config_file.find(key); it != config_file.end()) return it->second;
    return "";
  }
};

Profile LoadProfile(const std::string& name) {
  Profile p;
  std::string home = Env("HOME");
  p.credentials_path = Env("AWS_SHARED_CREDENTIALS_FILE");
  if (p.credentials_path.empty()) p.credentials_path = home + "/.aws/credentials";
  p.config_path = Env("AWS_CONFIG_FILE");
  if (p.config_path.empty()) p.config_path = home + "/.aws/config";
  std::string text;
  if (ReadFile(p.credentials_path, &text)) {
    p.credentials_exists = true;
    IniFile ini = ParseIni(text);
    if (auto it = ini.find(name); it != ini.end()) p.credentials_file = it->second;
  }
  if (ReadFile(p.config_path, &text)) {
    p.config_exists = true;
    IniFile ini = ParseIni(text);
    auto it = ini.find("profile " + name);
    if (it == ini.end() && name == "default") it = ini.find("default");
    if (it != ini.end()) p.config_file = it->second;
  }
  return p;
}

}  // namespace

IniFile ParseIni(std::string_view text) {
  IniFile ini;
  std::string section;
  bool in_section = false;
  std::istringstream in{std::string(text)};
  std::string raw;
  while (std::getline(in, raw)) {
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      // "[profile  x]" → "profile x"
      std::string name = Trim(std::string_view(line).substr(1, line.size() - 2));
      if (name.rfind("profile", 0) == 0 && name.size() > 7 &&
          std::isspace(static_cast<unsigned char>(name[7]))) {
        name = "profile " + Trim(std::string_view(name).substr(7));
      }
      section = name;
      in_section = true;
      ini[section];
      continue;
    }
    if (!in_section) continue;
    if (std::isspace(static_cast<unsigned char>(raw[0]))) continue;  // nested sub-section value
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Trim(std::string_view(line).substr(0, eq));
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = Trim(std::string_view(line).substr(eq + 1));
    if (value.empty()) continue;  // "s3 =" opens a nested sub-section
    ini[section][key] = value;
  }
  return ini;
}

Result<TemporaryCredentials> ParseCredentialProcessOutput(std::string_view json,
                                                          const std::string& command) {
  const std::string what = "output of credential_process '" + command + "'";
  LP_ASSIGN_OR_RETURN(auto fields, ParseFlatJson(json, what));
  if (auto it = fields.find("Version"); it == fields.end() || it->second != "1") {
    return Status::InvalidData(what + ": \"Version\" must be 1");
  }
  TemporaryCredentials out;
  out.credentials.access_key_id = fields["AccessKeyId"];
  out.credentials.secret_access_key = fields["SecretAccessKey"];
  out.credentials.session_token = fields["SessionToken"];
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty()) {
    return Status::InvalidData(what + ": missing \"AccessKeyId\" or \"SecretAccessKey\"");
  }
  out.expiration = std::chrono::system_clock::time_point::max();
  if (auto it = fields.find("Expiration"); it != fields.end() && !it->second.empty()) {
    // RFC 3339; ParseIso8601 wants the 'Z' form, which is what AWS tools print.
    int64_t ns = ParseIso8601(it->second);
    if (ns == 0) return Status::InvalidData(what + ": bad \"Expiration\" '" + it->second + "'");
    out.expiration = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(ns)));
  }
  return out;
}

Result<AwsCredentials> RefreshingCredentialsProvider::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = clock_ ? clock_() : std::chrono::system_clock::now();
  const auto never = std::chrono::system_clock::time_point::max();
  if (have_ && (cached_.expiration == never || now + kRefreshMargin < cached_.expiration)) {
    return cached_.credentials;
  }
  ++fetches_;
  Result<TemporaryCredentials> fresh = Fetch();
  if (!fresh.ok()) {
    // Still valid (inside the margin): use them; the next call tries to refresh again.
    if (have_ && now < cached_.expiration) return cached_.credentials;
    return fresh.status();
  }
  cached_ = std::move(*fresh);
  have_ = true;
  return cached_.credentials;
}

int RefreshingCredentialsProvider::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

void RefreshingCredentialsProvider::set_clock_for_testing(Clock clock) {
  std::lock_guard<std::mutex> lock(mu_);
  clock_ = std::move(clock);
}

Result<TemporaryCredentials> ProcessCredentialsProvider::Fetch() {
  FILE* p = ::popen(command_.c_str(), "r");
  if (!p) return Status::IOError("cannot run credential_process '" + command_ + "'");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (rc != 0) {
    return Status::PermissionDenied("credential_process '" + command_ + "' (" + source_ +
                                    ") failed with exit status " +
                                    std::to_string(WIFEXITED(rc) ? WEXITSTATUS(rc) : rc));
  }
  return ParseCredentialProcessOutput(out, command_);
}

namespace {

// Where STS is, for profile `profile` (see the header).
StsEndpoint StsFor(const Profile& profile, const S3Config& cfg) {
  StsEndpoint sts;
  sts.region = cfg.region;
  sts.curl.ca_bundle = cfg.ca_bundle;
  for (const char* v : {"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"}) {
    if (sts.url.empty()) sts.url = Env(v);
  }
  if (sts.url.empty()) sts.url = profile.Get("endpoint_url");
  if (sts.url.empty()) sts.url = "https://sts." + cfg.region + ".amazonaws.com";
  while (!sts.url.empty() && sts.url.back() == '/') sts.url.pop_back();
  return sts;
}

Result<AssumeRoleParams> RoleParams(const Profile& profile, const std::string& where) {
  AssumeRoleParams p;
  p.role_arn = profile.Get("role_arn");
  p.session_name = profile.Get("role_session_name");
  p.external_id = profile.Get("external_id");
  if (std::string d = profile.Get("duration_seconds"); !d.empty()) {
    char* end = nullptr;
    const long v = std::strtol(d.c_str(), &end, 10);
    if (*end != '\0' || v <= 0) {
      return Status::InvalidArgument("duration_seconds '" + d + "' of " + where +
                                     " must be a positive whole number of seconds");
    }
    p.duration_seconds = static_cast<int>(v);
  }
  return p;
}

struct Resolver {
  const S3Config& cfg;
  const Profile& top;          // the profile asked for: STS's endpoint_url comes from it
  std::set<std::string> seen;  // profiles on the current source_profile chain

  // Credentials of profile `name` (steps a-d of the header); nullptr when it has none.
  Result<std::shared_ptr<CredentialsProvider>> FromProfile(const std::string& name,
                                                           const Profile& profile) {
    const std::string where = "profile '" + name + "'";
    if (!seen.insert(name).second) {
      return Status::InvalidArgument("the source_profile chain of " + where + " loops back to it");
    }
    const std::string role_arn = profile.Get("role_arn");
    const std::string source_profile = profile.Get("source_profile");
    const std::string credential_source = profile.Get("credential_source");
    const std::string token_file = profile.Get("web_identity_token_file");
    if (!role_arn.empty() && (!source_profile.empty() || !credential_source.empty())) {
      if (!source_profile.empty() && !credential_source.empty()) {
        return Status::InvalidArgument(where + " sets both source_profile and credential_source");
      }
      std::shared_ptr<CredentialsProvider> source;
      if (!credential_source.empty()) {
        if (credential_source != "Environment") {
          return Status::InvalidArgument(
              "credential_source = " + credential_source + " of " + where +
              " is not supported: lakepack never consults instance or container metadata "
              "endpoints (use Environment, or a source_profile)");
        }
        source = FromEnvironment();
        if (!source) {
          return Status::InvalidArgument(where +
                                         " has credential_source = Environment but "
                                         "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set");
        }
      } else if (source_profile == name) {
        // A profile that names itself: its own static keys assume the role (as the AWS CLI).
        source = StaticKeys(name, profile);
      } else {
        Profile src = LoadProfile(source_profile);
        LP_ASSIGN_OR_RETURN(source, FromProfile(source_profile, src));
      }
      if (!source) {
        return Status::InvalidArgument("source_profile '" + source_profile + "' of " + where +
                                       " has no credentials (looked in " +
                                       profile.credentials_path + " and " + profile.config_path +
                                       ")");
      }
      LP_ASSIGN_OR_RETURN(AssumeRoleParams params, RoleParams(profile, where));
      return std::shared_ptr<CredentialsProvider>(std::make_shared<AssumeRoleCredentialsProvider>(
          std::move(source), std::move(params), StsFor(top, cfg), "role_arn of " + where));
    }
    if (!role_arn.empty() && !token_file.empty()) {
      LP_ASSIGN_OR_RETURN(AssumeRoleParams params, RoleParams(profile, where));
      return std::shared_ptr<CredentialsProvider>(std::make_shared<WebIdentityCredentialsProvider>(
          token_file, std::move(params), StsFor(top, cfg), "web_identity_token_file of " + where));
    }
    if (!role_arn.empty()) {
      return Status::InvalidArgument(where +
                                     " sets role_arn but none of source_profile, "
                                     "credential_source or web_identity_token_file");
    }
    if (auto keys = StaticKeys(name, profile)) return keys;
    if (std::string cmd = profile.Get("credential_process"); !cmd.empty()) {
      return std::shared_ptr<CredentialsProvider>(
          std::make_shared<ProcessCredentialsProvider>(cmd, "credential_process of " + where));
    }
    return std::shared_ptr<CredentialsProvider>();
  }

  static std::shared_ptr<CredentialsProvider> StaticKeys(const std::string& name,
                                                         const Profile& profile) {
    for (const auto* section : {&profile.credentials_file, &profile.config_file}) {
      auto key = section->find("aws_access_key_id");
      auto secret = section->find("aws_secret_access_key");
      if (key == section->end() || secret == section->end()) continue;
      AwsCredentials c{key->second, secret->second, ""};
      if (auto t = section->find("aws_session_token"); t != section->end())
        c.session_token = t->second;
      return std::make_shared<StaticCredentialsProvider>(
          std::move(c), "profile '" + name + "' in " +
                            (section == &profile.credentials_file ? profile.credentials_path
                                                                  : profile.config_path));
    }
    return nullptr;
  }

  // AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, or nullptr (both unset).  REQUIRES: not just one.
  static std::shared_ptr<CredentialsProvider> FromEnvironment() {
    std::string key = Env("AWS_ACCESS_KEY_ID"), secret = Env("AWS_SECRET_ACCESS_KEY");
    if (key.empty() || secret.empty()) return nullptr;
    return std::make_shared<StaticCredentialsProvider>(
        AwsCredentials{key, secret, Env("AWS_SESSION_TOKEN")},
        "the environment (AWS_ACCESS_KEY_ID)");
  }
};

// The CA bundle (see the header), checked to be readable.
Result<std::string> CaBundle(const StoreOptions& options, const Profile& profile) {
  std::string path = options.ca_bundle, from = "--ca-bundle";
  if (path.empty()) {
    path = Env("AWS_CA_BUNDLE");
    from = "AWS_CA_BUNDLE";
  }
  if (path.empty()) {
    path = profile.Get("ca_bundle");
    from = "ca_bundle of the profile";
  }
  if (path.empty()) return path;
  std::string text;
  if (!ReadFile(path, &text) || text.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return Status::InvalidArgument("CA bundle " + path + " (from " + from +
                                   ") is not a readable PEM file of certificates");
  }
  return path;
}

}  // namespace

Result<S3Config> ResolveS3Config(const StoreOptions& options) {
  S3Config cfg;
  cfg.profile = options.profile;
  if (cfg.profile.empty()) cfg.profile = Env("AWS_PROFILE");
  if (cfg.profile.empty()) cfg.profile = "default";
  Profile profile = LoadProfile(cfg.profile);

  cfg.region = options.region;
  for (const char* v : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (cfg.region.empty()) cfg.region = Env(v);
  }
  if (cfg.region.empty()) cfg.region = profile.Get("region");
  if (cfg.region.empty()) cfg.region = "us-east-1";

  cfg.endpoint_url = options.endpoint_url;
  for (const char* v : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    if (cfg.endpoint_url.empty()) cfg.endpoint_url = Env(v);
  }
  if (cfg.endpoint_url.empty()) cfg.endpoint_url = profile.Get("endpoint_url");
  while (!cfg.endpoint_url.empty() && cfg.endpoint_url.back() == '/') cfg.endpoint_url.pop_back();
  if (!cfg.endpoint_url.empty()) {
    LP_RETURN_NOT_OK(ValidateEndpointUrl(cfg.endpoint_url, "S3 endpoint URL"));
  }
  LP_ASSIGN_OR_RETURN(cfg.ca_bundle, CaBundle(options, profile));

  // 1. The environment (unless a profile was asked for by name).
  std::string env_key = Env("AWS_ACCESS_KEY_ID"), env_secret = Env("AWS_SECRET_ACCESS_KEY");
  if (options.profile.empty() && !env_key.empty() != !env_secret.empty()) {
    return Status::InvalidArgument(
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (only " +
        std::string(env_key.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is set)");
  }
  if (options.profile.empty() && !env_key.empty()) {
    cfg.credentials = Resolver::FromEnvironment();
    return cfg;
  }
  // 2. Web identity from the environment (unless a profile was asked for by name).
  std::string token_file = Env("AWS_WEB_IDENTITY_TOKEN_FILE"), role_arn = Env("AWS_ROLE_ARN");
  if (options.profile.empty() && (!token_file.empty() || !role_arn.empty())) {
    if (token_file.empty() || role_arn.empty()) {
      return Status::InvalidArgument(
          "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together (only " +
          std::string(token_file.empty() ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE") +
          " is set)");
    }
    AssumeRoleParams params;
    params.role_arn = role_arn;
    params.session_name = Env("AWS_ROLE_SESSION_NAME");
    cfg.credentials = std::make_shared<WebIdentityCredentialsProvider>(
        token_file, std::move(params), StsFor(profile, cfg),
        "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN");
    return cfg;
  }
  // 3. The profile.
  Resolver resolver{cfg, profile, {}};
  LP_ASSIGN_OR_RETURN(cfg.credentials, resolver.FromProfile(cfg.profile, profile));
  if (cfg.credentials) return cfg;
  auto state = [](bool exists) { return exists ? "" : " (missing)"; };
  return Status::InvalidArgument(
      "no AWS credentials found: looked at AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and "
      "AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN in the environment, profile '" +
      cfg.profile + "' in " + profile.credentials_path + state(profile.credentials_exists) +
      " and in " + profile.config_path + state(profile.config_exists) +
      " (role_arn, aws_access_key_id/aws_secret_access_key or credential_process); instance "
      "metadata is never consulted");
}

}  // namespace lakepack::s3
