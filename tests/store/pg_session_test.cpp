// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/pg_session_test.cpp: how PgSession turns PostgreSQL's failures
// into ErrorCodes (store/pg_session.h), against the real libpq talking to a
// scripted backend on a Unix socket. A real server cannot be made to send
// an error without SQLSTATE or to vanish at an exact step; this one can.
// The backend speaks just enough of protocol 3 (PostgreSQL's "Frontend/
// Backend Protocol" chapter) for a connection, PQexec, PQprepare and
// PQexecPrepared.
#include "store/pg_session.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.h"

namespace safehouse::store::detail {
namespace {

// What the backend does at the client's next Sync or Query (after the
// session's set-up query, which always succeeds).
struct Step {
  enum Kind { kOk, kError, kClose } kind = kOk;
  std::string sqlstate;  // kError: empty for an ErrorResponse without one
  std::string message;   // kError
};

class FakeBackend {
 public:
  FakeBackend(const std::filesystem::path& dir, std::vector<Step> steps)
      : steps_(std::move(steps)), dir_(dir) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = (dir / ".s.PGSQL.5432").string();
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(listener_, 1) != 0) {
      ADD_FAILURE() << "cannot listen on " << path;
      return;
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeBackend() {
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  FakeBackend(const FakeBackend&) = delete;
  FakeBackend& operator=(const FakeBackend&) = delete;

  std::string url() const {
    return "postgresql:///fake?host=" + dir_.string() +
           "&port=5432&user=fake&sslmode=disable&gssencmode=disable";
  }

 private:
  bool read_exactly(char* data, std::size_t size) {
    while (size > 0) {
      const ssize_t n = ::read(client_, data, size);
      if (n <= 0) return false;
      data += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }
  std::uint32_t read_length() {
    std::uint32_t length = 0;
    if (!read_exactly(reinterpret_cast<char*>(&length), 4)) return 0;
    return ntohl(length);
  }
  bool skip(std::uint32_t length) {
    std::string body(length >= 4 ? length - 4 : 0, '\0');
    return read_exactly(body.data(), body.size());
  }
  void send(char type, const std::string& body) {
    const std::uint32_t length = htonl(static_cast<std::uint32_t>(body.size() + 4));
    std::string message(1, type);
    message.append(reinterpret_cast<const char*>(&length), 4);
    message += body;
    (void)::write(client_, message.data(), message.size());
  }
  static std::string cstring(std::string_view text) { return std::string(text) + '\0'; }

  void ready() { send('Z', "I"); }
  void error(const Step& step) {
    std::string fields = 'S' + cstring("ERROR") + 'V' + cstring("ERROR");
    if (!step.sqlstate.empty()) fields += 'C' + cstring(step.sqlstate);
    fields += 'M' + cstring(step.message) + '\0';
    send('E', fields);
    ready();
  }

  void serve() {
    client_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client_ < 0) return;
    // The startup packet has no type byte.
    if (!skip(read_length())) {
      ::close(client_);
      return;
    }
    send('R', std::string(4, '\0'));  // AuthenticationOk
    for (auto [name, value] :
         {std::pair{"server_version", "15.0"}, std::pair{"client_encoding", "UTF8"},
          std::pair{"standard_conforming_strings", "on"}, std::pair{"integer_datetimes", "on"}}) {
      send('S', cstring(name) + cstring(value));
    }
    send('K', std::string(8, '\1'));
    ready();
    bool set_up = false;
    std::string pending;  // the extended-protocol messages since the last Sync
    std::size_t next = 0;
    for (;;) {
      char type = 0;
      if (!read_exactly(&type, 1)) break;
      if (!skip(read_length()) || type == 'X') break;
      if (type != 'S' && type != 'Q') {
        pending += type;
        continue;
      }
      Step step;
      if (type == 'Q' && !set_up) {
        set_up = true;
      } else if (next < steps_.size()) {
        step = steps_[next++];
      }
      if (step.kind == Step::kClose) break;
      if (step.kind == Step::kError) {
        error(step);
      } else if (type == 'Q') {
        send('C', cstring("SET"));
        ready();
      } else {
        if (pending.find('P') != std::string::npos) send('1', "");  // ParseComplete
        if (pending.find('B') != std::string::npos) send('2', "");  // BindComplete
        if (pending.find('D') != std::string::npos) send('n', "");  // NoData
        if (pending.find('E') != std::string::npos) send('C', cstring("INSERT 0 1"));
        ready();
      }
      pending.clear();
    }
    ::close(client_);
  }

  std::vector<Step> steps_;
  std::filesystem::path dir_;
  int listener_ = -1;
  int client_ = -1;
  std::thread thread_;
};

struct Outcome {
  Error error{ErrorCode::kInternal, "no error"};
  bool retryable = false;
  bool broken = false;
};

// Connects to a backend following `steps`, runs `sql` through
// exec_script (as BEGIN and COMMIT are) or, with `prepared`, through
// query() (prepare, then execute: two steps), and returns what failed.
Outcome run(std::vector<Step> steps, std::string_view sql, bool prepared = false) {
  testing::TempDir dir;
  FakeBackend backend(dir.path(), std::move(steps));
  auto session = PgSession::connect(backend.url(), 5, false);
  if (!session) {
    ADD_FAILURE() << session.error().message();
    return {};
  }
  Outcome outcome;
  if (prepared) {
    auto rows = (*session)->query(sql, {SqlParam(std::int64_t{7})});
    if (rows) ADD_FAILURE() << "the query succeeded";
    if (!rows) outcome.error = rows.error();
  } else {
    auto done = (*session)->exec_script(sql);
    if (done) ADD_FAILURE() << "the script succeeded";
    if (!done) outcome.error = done.error();
  }
  outcome.retryable = (*session)->last_error_retryable();
  outcome.broken = (*session)->broken();
  return outcome;
}

Step closes() {
  return Step{Step::kClose, "", ""};
}

Step fails(std::string sqlstate, std::string message) {
  return Step{Step::kError, std::move(sqlstate), std::move(message)};
}

TEST(PgSessionErrors, TheFakeBackendAnswersAQueryAndAScript) {
  testing::TempDir dir;
  FakeBackend backend(dir.path(), {});
  auto session = PgSession::connect(backend.url(), 5, false);
  ASSERT_TRUE(session) << session.error().message();
  auto rows = (*session)->query("INSERT INTO t VALUES (?)", {SqlParam(std::int64_t{7})});
  ASSERT_TRUE(rows) << rows.error().message();
  EXPECT_TRUE(rows->empty());
  EXPECT_TRUE((*session)->exec_script("COMMIT"));
  EXPECT_FALSE((*session)->broken());
}

TEST(PgSessionErrors, AnErrorWithoutSqlstateIsConnectionTroubleNotABug) {
  // libpq makes such results itself (a failed read or write, memory, a
  // protocol it cannot follow), and the connection may still say OK.
  const Outcome outcome = run({Step{}, fails("", "could not receive data from server")},
                              "INSERT INTO t VALUES (?)", true);
  EXPECT_EQ(outcome.error.code(), ErrorCode::kUnavailable) << outcome.error.message();
  EXPECT_NE(outcome.error.message().find("could not receive data"), std::string::npos);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_FALSE(outcome.broken);
}

TEST(PgSessionErrors, AnErrorWithoutSqlstateDuringCommitLeavesTheOutcomeUnknown) {
  const Outcome outcome = run({fails("", "could not send data to server")}, "COMMIT");
  EXPECT_EQ(outcome.error.code(), ErrorCode::kOutcomeUnknown) << outcome.error.message();
  EXPECT_NE(outcome.error.message().find("outcome unknown"), std::string::npos);
}

TEST(PgSessionErrors, AServerGoneDuringAQueryIsUnavailable) {
  const Outcome outcome = run({Step{}, closes()}, "INSERT INTO t VALUES (?)", true);
  EXPECT_EQ(outcome.error.code(), ErrorCode::kUnavailable) << outcome.error.message();
  EXPECT_TRUE(outcome.broken);
}

TEST(PgSessionErrors, AServerGoneDuringCommitLeavesTheOutcomeUnknown) {
  const Outcome outcome = run({closes()}, "COMMIT");
  EXPECT_EQ(outcome.error.code(), ErrorCode::kOutcomeUnknown) << outcome.error.message();
  EXPECT_TRUE(outcome.broken);
  // A statement other than COMMIT certainly did not happen.
  EXPECT_EQ(run({closes()}, "BEGIN").error.code(), ErrorCode::kUnavailable);
}

TEST(PgSessionErrors, SqlstatesMapToErrorCodes) {
  struct Case {
    const char* sqlstate;
    ErrorCode code;
    bool retryable;
  };
  for (const Case& c :
       {Case{"23505", ErrorCode::kConflict, false}, Case{"23503", ErrorCode::kNotFound, false},
        Case{"40001", ErrorCode::kUnavailable, true}, Case{"40P01", ErrorCode::kUnavailable, true},
        Case{"08006", ErrorCode::kUnavailable, false},
        Case{"53100", ErrorCode::kUnavailable, false},
        Case{"57P01", ErrorCode::kUnavailable, false},
        Case{"57P03", ErrorCode::kUnavailable, false},
        Case{"55P03", ErrorCode::kUnavailable, false}, Case{"58030", ErrorCode::kIo, false},
        Case{"XX001", ErrorCode::kIntegrity, false}, Case{"42P01", ErrorCode::kInternal, false}}) {
    SCOPED_TRACE(c.sqlstate);
    // In COMMIT too: an error the server sent means it answered, so the
    // outcome is known.
    for (const char* sql : {"SELECT 1", "COMMIT"}) {
      const Outcome outcome = run({fails(c.sqlstate, "scripted failure")}, sql);
      EXPECT_EQ(outcome.error.code(), c.code) << outcome.error.message();
      EXPECT_EQ(outcome.retryable, c.retryable);
      EXPECT_NE(outcome.error.message().find(std::string("scripted failure (SQLSTATE ") +
                                             c.sqlstate + ")"),
                std::string::npos)
          << outcome.error.message();
    }
  }
}

TEST(PgSessionErrors, ADataExceptionsMessageIsNotRepeatedForItMayQuoteAValue) {
  const Outcome outcome =
      run({Step{}, fails("22P02", "invalid input syntax for type bigint: \"MRKSECRETVALUE\"")},
          "INSERT INTO t VALUES (?)", true);
  EXPECT_EQ(outcome.error.code(), ErrorCode::kInternal);
  EXPECT_EQ(outcome.error.message().find("MRKSECRETVALUE"), std::string::npos)
      << outcome.error.message();
  EXPECT_NE(outcome.error.message().find("SQLSTATE 22P02"), std::string::npos);
}

}  // namespace
}  // namespace safehouse::store::detail
