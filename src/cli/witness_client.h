// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/witness_client.h: the tlog-witness client side of `safehouse serve`
// (C2SP tlog-witness; docs/tlog.md, "Witnesses"). After each new checkpoint
// of the installation's log, every witness named in config.toml
// ([[witness]]) is sent `add-checkpoint` with a consistency proof from the
// size it last cosigned; a 409 is retried from the size the witness
// reports. Each cosignature/v1 line in the answer is checked against the
// witness's configured key; only verified lines are kept (in the database,
// store::LogStore::save_cosignature) and served with /log/checkpoint. An
// answer that holds no cosignature from the configured key is refused.
#ifndef SAFEHOUSE_CLI_WITNESS_CLIENT_H_
#define SAFEHOUSE_CLI_WITNESS_CLIENT_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "config/config.h"
#include "store/log_store.h"
#include "tlog/note.h"

namespace safehouse::cli {

struct WitnessHttpAnswer {
  int status = 0;
  std::string body;
};
// Posts `body` to `url` ("http://host:port/prefix/add-checkpoint");
// kUnavailable when the witness cannot be reached.
using WitnessTransport =
    std::function<Result<WitnessHttpAnswer>(const std::string& url, const std::string& body)>;
// The real transport: one Boost.Beast POST over a fresh connection,
// http:// only, answers up to 64 KiB, `timeout` for the whole exchange.
WitnessTransport http_witness_transport(std::chrono::seconds timeout = std::chrono::seconds(20));

// What one round did for one witness.
struct WitnessOutcome {
  std::string name;
  bool cosigned = false;   // it holds a verified cosignature of the current checkpoint
  bool attempted = false;  // a request was sent this round
  std::string message;     // why not, when attempted and not cosigned
};

class WitnessClient {
 public:
  // kInvalidArgument for a key that is not a cosignature/v1 verifier key.
  // Lifetime: `log` outlives the client.
  static Result<std::unique_ptr<WitnessClient>> create(
      const std::vector<config::WitnessSettings>& witnesses, store::LogStore& log,
      WitnessTransport transport);

  // One round: every witness that has not cosigned the log's current
  // checkpoint is asked to. A witness that failed on this checkpoint is
  // asked again only after `retry_after` (a broken witness is not hammered).
  // Not thread-safe: one caller at a time.
  Result<std::vector<WitnessOutcome>> round();

  void set_retry_after(std::chrono::seconds retry_after) { retry_after_ = retry_after; }

  ~WitnessClient();

 private:
  struct Witness;
  WitnessClient(store::LogStore& log, WitnessTransport transport);
  Result<void> submit(Witness& witness, const store::LogHead& head, const std::string& text,
                      std::uint64_t old_size);

  store::LogStore* log_;
  WitnessTransport transport_;
  std::vector<std::unique_ptr<Witness>> witnesses_;
  std::chrono::seconds retry_after_{60};
};

// Runs client.round() every `period` on a thread of its own until stop() or
// destruction, reporting failures on stderr ("witness NAME: why").
class WitnessLoop {
 public:
  WitnessLoop(WitnessClient& client, std::chrono::milliseconds period);
  ~WitnessLoop();
  void stop();

 private:
  void run();
  WitnessClient* client_;
  std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_WITNESS_CLIENT_H_
