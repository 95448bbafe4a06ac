// SPDX-License-Identifier: AGPL-3.0-or-later
// config/quotas.cpp: the keys of [quotas], with the comments `safehouse init`
// writes above them.
#include "config/quotas.h"

namespace safehouse::config {

namespace {

constexpr std::uint64_t kMaxCount = 1'000'000'000;
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 50;

constexpr QuotaKey kQuotaKeys[] = {
    {"source_connections",
     "Open connections to the source listener; beyond them new ones are closed at once.", kMaxCount,
     &Quotas::source_connections},
    {"staff_connections",
     "Open connections to the staff listener, counted apart from the source listener's\n"
     "so that a flood on one never locks out the other.",
     kMaxCount, &Quotas::staff_connections},
    {"small_body_seconds",
     "A form that is not an upload (sign-in, sign-out) must arrive whole within this\n"
     "many seconds after its header. Uploads are cut only when no byte comes for 60 s.",
     86400, &Quotas::small_body_seconds},
    {"min_body_bytes_per_second",
     "...and at no less than this rate (after 5 s of grace), so a body trickled one byte\n"
     "at a time is cut early.",
     kMaxBytes, &Quotas::min_body_bytes_per_second},
    {"key_derivation_queue",
     "Codename key derivations (sign-in, first-contact page) running or waiting at once;\n"
     "beyond them the answer is 503 \"try again later\".",
     kMaxCount, &Quotas::key_derivation_queue},
    {"sign_ins_per_minute",
     "Codename sign-in attempts per minute for the whole server. Attempts beyond it wait\n"
     "their turn (sessions take turns) for up to 30 s, then get 503.",
     kMaxCount, &Quotas::sign_ins_per_minute},
    {"sign_in_failures_per_session",
     "Wrong or malformed codenames one session may try; then it must start again.", kMaxCount,
     &Quotas::sign_in_failures_per_session},
    {"submissions_per_session_per_minute",
     "First contacts and follow-ups one session may send per minute (429 beyond).", kMaxCount,
     &Quotas::submissions_per_session_per_minute},
    {"bytes_per_source_per_day",
     "Bytes one source may send per UTC day, all submissions together (429 beyond).\n"
     "Counted in memory: a restart starts the day's count again.",
     kMaxBytes, &Quotas::bytes_per_source_per_day},
    {"free_space_reserve_bytes",
     "Uploads are refused (507) while the data directory's disk has less free space than\n"
     "this, so that the disk never fills up and what is stored stays safe.",
     kMaxBytes, &Quotas::free_space_reserve_bytes},
};

}  // namespace

std::span<const QuotaKey> quota_keys() {
  return kQuotaKeys;
}

}  // namespace safehouse::config
