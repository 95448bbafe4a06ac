// SPDX-License-Identifier: AGPL-3.0-or-later
// store/libpq.cpp: dlopen of libpq and dlsym of its functions (see
// libpq.h for why). A missing function is an error like a missing library:
// the engine never runs on half a table.
#include "store/libpq.h"

#include <dlfcn.h>

#include <string>

namespace safehouse::store::detail {
namespace {

// The soname of the libpq whose header we compiled against (libpq5).
constexpr const char* kLibPqName = "libpq.so.5";

std::string dl_reason() {
  const char* reason = ::dlerror();
  return reason != nullptr ? reason : "unknown reason";
}

// Looks `name` up into `slot`; false (with `error` set) if it is missing.
template <typename Function>
bool find(void* library, const char* name, Function& slot, std::string& error) {
  void* symbol = ::dlsym(library, name);
  if (symbol == nullptr) {
    error = std::string(kLibPqName) + " has no " + name + ": " + dl_reason();
    return false;
  }
  slot = reinterpret_cast<Function>(symbol);
  return true;
}

struct Loaded {
  LibPq functions{};
  std::string error;  // empty once loaded
};

Loaded load() {
  Loaded loaded;
  // RTLD_LOCAL: libpq's own dependencies stay out of the global scope.
  void* library = ::dlopen(kLibPqName, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    loaded.error =
        "cannot load " + std::string(kLibPqName) + " (Debian package libpq5): " + dl_reason();
    return loaded;
  }
  LibPq& f = loaded.functions;
  std::string& e = loaded.error;
  const bool all =
      find(library, "PQconnectdbParams", f.PQconnectdbParams, e) &&
      find(library, "PQstatus", f.PQstatus, e) &&
      find(library, "PQerrorMessage", f.PQerrorMessage, e) &&
      find(library, "PQsetNoticeProcessor", f.PQsetNoticeProcessor, e) &&
      find(library, "PQfinish", f.PQfinish, e) && find(library, "PQprepare", f.PQprepare, e) &&
      find(library, "PQexecPrepared", f.PQexecPrepared, e) &&
      find(library, "PQexec", f.PQexec, e) &&
      find(library, "PQresultStatus", f.PQresultStatus, e) &&
      find(library, "PQresultErrorField", f.PQresultErrorField, e) &&
      find(library, "PQntuples", f.PQntuples, e) && find(library, "PQnfields", f.PQnfields, e) &&
      find(library, "PQftype", f.PQftype, e) && find(library, "PQgetisnull", f.PQgetisnull, e) &&
      find(library, "PQgetvalue", f.PQgetvalue, e) &&
      find(library, "PQgetlength", f.PQgetlength, e) && find(library, "PQclear", f.PQclear, e);
  if (!all) ::dlclose(library);
  return loaded;
}

}  // namespace

Result<const LibPq*> load_libpq() {
  // A function-local static: initialised once, thread-safe (C++11).
  static const Loaded loaded = load();
  if (!loaded.error.empty()) {
    return Error(ErrorCode::kUnavailable, "postgresql: " + loaded.error);
  }
  return &loaded.functions;
}

}  // namespace safehouse::store::detail
