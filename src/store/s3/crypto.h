// crypto.h: the hashes S3 requests need (SHA-256, HMAC-SHA256, MD5) and hex/base64 encodings,
// as thin pure functions over OpenSSL.
//
// Thread-safety: every function is pure and safe to call from many threads at once.
#pragma once

#include <string>
#include <string_view>

namespace lakepack::s3 {

// Raw 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);
// Lower-case hex of SHA-256(data): the x-amz-content-sha256 value of a signed payload.
std::string Sha256Hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
// Raw 16-byte MD5 digest.
std::string Md5(std::string_view data);
// Lower-case hex of MD5(data): what S3 returns as the ETag of a single-part object.
std::string Md5Hex(std::string_view data);
// Base64 of MD5(data): the Content-MD5 header value.
std::string Md5Base64(std::string_view data);

// MD5 over data given in pieces (an object read range by range).  One owner; not copyable.
class Md5Stream {
 public:
  Md5Stream();
  ~Md5Stream();
  Md5Stream(const Md5Stream&) = delete;
  Md5Stream& operator=(const Md5Stream&) = delete;
  void Update(std::string_view data);
  // Lower-case hex of the digest of everything given.  REQUIRES: called once.
  std::string FinishHex();

 private:
  void* ctx_;  // EVP_MD_CTX
};

std::string HexEncode(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);

}  // namespace lakepack::s3
