// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/store/libpq_test.cpp: libpq loaded on demand (store/libpq.h): every
// function found, the same table on every call, and the functions are
// libpq's (they answer as libpq does for a connection that does not exist).
#include "store/libpq.h"

#include <gtest/gtest.h>

namespace safehouse::store::detail {
namespace {

TEST(LibPq, LoadsEveryFunctionOnce) {
  auto first = load_libpq();
  ASSERT_TRUE(first) << first.error().message();
  auto second = load_libpq();
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
  const LibPq& pq = **first;
  for (const void* function :
       {reinterpret_cast<const void*>(pq.PQconnectdbParams),
        reinterpret_cast<const void*>(pq.PQstatus),
        reinterpret_cast<const void*>(pq.PQerrorMessage),
        reinterpret_cast<const void*>(pq.PQsetNoticeProcessor),
        reinterpret_cast<const void*>(pq.PQfinish), reinterpret_cast<const void*>(pq.PQprepare),
        reinterpret_cast<const void*>(pq.PQexecPrepared), reinterpret_cast<const void*>(pq.PQexec),
        reinterpret_cast<const void*>(pq.PQresultStatus),
        reinterpret_cast<const void*>(pq.PQresultErrorField),
        reinterpret_cast<const void*>(pq.PQntuples), reinterpret_cast<const void*>(pq.PQnfields),
        reinterpret_cast<const void*>(pq.PQftype), reinterpret_cast<const void*>(pq.PQgetisnull),
        reinterpret_cast<const void*>(pq.PQgetvalue), reinterpret_cast<const void*>(pq.PQgetlength),
        reinterpret_cast<const void*>(pq.PQclear)}) {
    EXPECT_NE(function, nullptr);
  }
  // libpq's documented answers for "no connection" and "no result".
  EXPECT_EQ(pq.PQstatus(nullptr), CONNECTION_BAD);
  EXPECT_EQ(pq.PQresultStatus(nullptr), PGRES_FATAL_ERROR);
}

TEST(LibPq, AConnectionToANonexistentServerFailsThroughTheLoadedLibrary) {
  auto pq = load_libpq();
  ASSERT_TRUE(pq);
  // A Unix socket directory that does not exist: no network involved.
  const char* keywords[] = {"host", "dbname", "connect_timeout", nullptr};
  const char* values[] = {"/nonexistent-safehouse-socket-dir", "none", "1", nullptr};
  PGconn* conn = (*pq)->PQconnectdbParams(keywords, values, 0);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ((*pq)->PQstatus(conn), CONNECTION_BAD);
  EXPECT_NE(std::string((*pq)->PQerrorMessage(conn)).find("nonexistent-safehouse-socket-dir"),
            std::string::npos);
  (*pq)->PQfinish(conn);
}

}  // namespace
}  // namespace safehouse::store::detail
