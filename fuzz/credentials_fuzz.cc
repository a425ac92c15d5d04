// fuzz_credentials: the AWS config/credentials file parser and the credential_process output
// parser (store/s3/credentials.h) on arbitrary text.  Flag byte bit 0 picks the parser.
#include "fuzz_input.h"
#include "store/s3/credentials.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lakepack::fuzz::Input in(data, size);
  if (in.Bit(0)) {
    auto parsed = lakepack::s3::ParseCredentialProcessOutput(in.rest, "fuzz-process");
    if (parsed.ok()) {
      lakepack::fuzz::Check(!parsed->credentials.access_key_id.empty(), "empty AccessKeyId accepted");
    }
  } else {
    lakepack::s3::IniFile ini = lakepack::s3::ParseIni(in.rest);
    for (const auto& [section, keys] : ini) {
      for (const auto& [key, value] : keys) {
        for (char c : key) lakepack::fuzz::Check(!(c >= 'A' && c <= 'Z'), "key not lower-cased");
      }
    }
  }
  return 0;
}
