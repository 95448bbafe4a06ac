// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/http_fetch.h: one plain-HTTP request to a Safehouse listener, for
// `safehouse observe` (openings, statements, cosignatures). http:// only, as
// cli/log_client.h (Tor or a port forward provides the transport); bounded
// in size and time. Beast stays inside http_fetch.cpp.
#ifndef SAFEHOUSE_CLI_HTTP_FETCH_H_
#define SAFEHOUSE_CLI_HTTP_FETCH_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::cli {

struct HttpAnswer {
  unsigned status = 0;
  Bytes body;
};

// `method` "GET" or "POST" to `base_url` + `path` ("http://host:port/log" +
// "/statements/"). kInvalidArgument for a URL that is not
// http://HOST[:PORT][/PATH]; kUnavailable when the server cannot be reached
// or the answer is larger than `max_bytes`. Any status is an answer.
Result<HttpAnswer> http_fetch(std::string_view base_url, std::string_view method,
                              std::string_view path, std::string_view body = {},
                              std::size_t max_bytes = std::size_t{1} << 30,
                              std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_HTTP_FETCH_H_
