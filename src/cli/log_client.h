// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/log_client.h: reads a Safehouse log over HTTP as C2SP tlog-tiles
// serves it (URL/checkpoint, URL/tile/…), for `safehouse statement check`
// and anyone else checking the log from outside. Plain http:// only (over
// Tor, a local proxy or an onion's port forward provides the transport);
// bounded in size and time. Beast stays inside log_client.cpp.
#ifndef SAFEHOUSE_CLI_LOG_CLIENT_H_
#define SAFEHOUSE_CLI_LOG_CLIENT_H_

#include <chrono>
#include <string>
#include <string_view>

#include "base/byte_stream.h"
#include "base/error.h"
#include "tlog/tile_store.h"

namespace safehouse::cli {

// The largest response accepted: a full entry bundle of maximal entries.
inline constexpr std::size_t kMaxLogResponseBytes = 256 * 65537 + 1024;

// A read-only TileStore whose paths are fetched from `base_url`
// ("http://host:port/log"). read(): kNotFound on 404, kUnavailable when the
// server cannot be reached or answers otherwise. write/remove: kUnsupported.
class HttpTileStore final : public tlog::TileStore {
 public:
  // kInvalidArgument for a URL that is not http://HOST[:PORT][/PATH].
  static Result<HttpTileStore> create(std::string_view base_url,
                                      std::chrono::seconds timeout = std::chrono::seconds(30));
  Result<Bytes> read(std::string_view path) override;
  Result<void> write(std::string_view path, ByteSpan data) override;
  Result<void> remove(std::string_view path) override;
  Result<void> sync() override { return {}; }

 private:
  HttpTileStore(std::string host, std::string port, std::string prefix,
                std::chrono::seconds timeout)
      : host_(std::move(host)),
        port_(std::move(port)),
        prefix_(std::move(prefix)),
        timeout_(timeout) {}
  std::string host_, port_, prefix_;
  std::chrono::seconds timeout_;
};

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_LOG_CLIENT_H_
