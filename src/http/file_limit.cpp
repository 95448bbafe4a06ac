// SPDX-License-Identifier: AGPL-3.0-or-later
// http/file_limit.cpp: setrlimit(RLIMIT_NOFILE).
#include "http/file_limit.h"

#include <sys/resource.h>

#include <algorithm>

namespace safehouse::http {

std::uint64_t raise_open_file_limit(std::uint64_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  rlim_t target = wanted == 0 ? limit.rlim_max : static_cast<rlim_t>(wanted);
  if (limit.rlim_max != RLIM_INFINITY) target = std::min(target, limit.rlim_max);
  if (limit.rlim_cur != RLIM_INFINITY && target > limit.rlim_cur) {
    rlimit raised = limit;
    raised.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(limit.rlim_cur);
}

}  // namespace safehouse::http
