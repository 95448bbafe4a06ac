// SPDX-License-Identifier: AGPL-3.0-or-later
// store/libpq.h (internal): libpq's functions, loaded with dlopen when the
// first PostgreSQL connection is made instead of by the dynamic loader at
// every start. libpq brings 20 shared libraries of its own (Kerberos, LDAP,
// SASL, GnuTLS, ...): mapping and relocating them was about 4 ms of each
// `safehouse` start (an empty program linked with the binary's libraries:
// 10.6 ms with them, 6.5 ms without; bench/RESULTS.md), paid by every
// command and by SQLite installations that never use PostgreSQL, and their
// code then sat in every process that handles plaintext. The functions are
// libpq's own, with the types of libpq-fe.h; only the way they are found
// differs.
#ifndef SAFEHOUSE_STORE_LIBPQ_H_
#define SAFEHOUSE_STORE_LIBPQ_H_

#include <libpq-fe.h>

#include "base/error.h"

namespace safehouse::store::detail {

// One pointer per libpq function the engine calls, named after it.
struct LibPq {
  decltype(&::PQconnectdbParams) PQconnectdbParams;
  decltype(&::PQstatus) PQstatus;
  decltype(&::PQerrorMessage) PQerrorMessage;
  decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor;
  decltype(&::PQfinish) PQfinish;
  decltype(&::PQprepare) PQprepare;
  decltype(&::PQexecPrepared) PQexecPrepared;
  decltype(&::PQexec) PQexec;
  decltype(&::PQresultStatus) PQresultStatus;
  decltype(&::PQresultErrorField) PQresultErrorField;
  decltype(&::PQntuples) PQntuples;
  decltype(&::PQnfields) PQnfields;
  decltype(&::PQftype) PQftype;
  decltype(&::PQgetisnull) PQgetisnull;
  decltype(&::PQgetvalue) PQgetvalue;
  decltype(&::PQgetlength) PQgetlength;
  decltype(&::PQclear) PQclear;
};

// Loads libpq.so.5 (Debian's libpq5) and its functions the first time;
// every later call returns the same table, or the same error
// (kUnavailable, naming the library and dlerror's reason). Thread-safe. The
// library stays loaded until the process ends.
Result<const LibPq*> load_libpq();

}  // namespace safehouse::store::detail

#endif  // SAFEHOUSE_STORE_LIBPQ_H_
