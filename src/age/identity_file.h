// SPDX-License-Identifier: AGPL-3.0-or-later
// age/identity_file.h: reads identity files (AGE-SECRET-KEY-1... lines) and
// recipients files (age1... lines). Blank lines and '#' comments are skipped.
// Errors name the line number, never the line.
#ifndef SAFEHOUSE_AGE_IDENTITY_FILE_H_
#define SAFEHOUSE_AGE_IDENTITY_FILE_H_

#include <memory>
#include <string_view>
#include <vector>

#include "age/recipient.h"

namespace safehouse::age {

// Key files larger than this are refused before parsing (bytes).
inline constexpr std::size_t kMaxKeyFileBytes = 16 * 1024 * 1024;

Result<std::vector<std::unique_ptr<Identity>>> parse_identity_file(std::string_view text);
Result<std::vector<std::unique_ptr<Recipient>>> parse_recipients_file(std::string_view text);

}  // namespace safehouse::age

#endif  // SAFEHOUSE_AGE_IDENTITY_FILE_H_
