// The collector's own small HTTP request and response, independent of the transport library
// (http_server.cpp speaks Boost.Beast; handlers see only these). Accessor names follow the ones
// the handlers have always used.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace thermograph::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ... (a HEAD request arrives as GET; see http_server.h)
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path, without the query
  std::multimap<std::string, std::string> params;  // decoded query parameters, repeatable
  Headers headers;                                 // as received
  std::string body;
  std::string remote_addr;  // rate limiting only: never stored or logged

  // Header lookups ignore case; a missing header reads as "".
  std::string get_header_value(std::string_view name) const;
  bool has_header(std::string_view name) const;
  bool has_param(const std::string& name) const { return params.count(name) > 0; }
  // The i-th value of a repeated parameter, or "".
  std::string get_param_value(const std::string& name, size_t i = 0) const;
  size_t get_param_value_count(const std::string& name) const { return params.count(name); }
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  void set_header(std::string_view name, std::string value);  // replaces an existing one
  std::string get_header_value(std::string_view name) const;
  void set_content(std::string content, std::string content_type) {
    body = std::move(content);
    set_header("Content-Type", std::move(content_type));
  }
};

bool iequals(std::string_view a, std::string_view b);

// %XX decoding; `plus_as_space` for query strings (HTML forms and URLSearchParams write a space
// as '+'). Malformed escapes are kept as they are.
std::string percent_decode(std::string_view s, bool plus_as_space);

// Splits a target into its decoded path and query parameters.
void parse_target(std::string_view target, std::string& path,
                  std::multimap<std::string, std::string>& params);

}  // namespace thermograph::http
