// SPDX-License-Identifier: AGPL-3.0-or-later
// http/file_limit.h: raising the process's soft limit on open file
// descriptors (RLIMIT_NOFILE) at start, so that the server's own connection
// caps decide when connections are refused, not accept() failing with EMFILE
// while requests in flight can no longer open the database or a blob.
#ifndef SAFEHOUSE_HTTP_FILE_LIMIT_H_
#define SAFEHOUSE_HTTP_FILE_LIMIT_H_

#include <cstdint>

namespace safehouse::http {

// Raises the soft RLIMIT_NOFILE to at least `wanted` descriptors (0: to the
// hard limit), never above the hard limit and never lowering it. Returns
// the soft limit in force afterwards (which may be below `wanted` if the
// hard limit is); never fails.
std::uint64_t raise_open_file_limit(std::uint64_t wanted);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_FILE_LIMIT_H_
