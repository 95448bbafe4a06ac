// SPDX-License-Identifier: AGPL-3.0-or-later
// review/assessment_text.h: an assessment version for the command line
// (`review read`, with --data or --bundle): the sealed record — JSON the
// staff workspace encrypts in the browser (docs/reviewing.md, "The
// workspace") — decrypted and rendered as lines of text with the terminal
// controls of its free text replaced. Knows age and the record's JSON;
// nothing of the store or bundles.
#ifndef SAFEHOUSE_REVIEW_ASSESSMENT_TEXT_H_
#define SAFEHOUSE_REVIEW_ASSESSMENT_TEXT_H_

#include <span>
#include <string>
#include <string_view>

#include "age/recipient.h"
#include "base/byte_stream.h"
#include "base/error.h"

namespace safehouse::review {

// Larger sealed records are refused (the workspace's are a few KiB).
inline constexpr std::size_t kMaxAssessmentRecordBytes = 256 * 1024;

// Decrypts `sealed` with `identities`; the record's JSON text.
Result<std::string> open_assessment_record(ByteSource& sealed,
                                           std::span<const age::Identity* const> identities);

// "category: …\nchecks: source (evidence 1a2b…), technical\nnotes: …\n".
// kMalformed naming the field for JSON that is not such a record.
Result<std::string> describe_assessment_record(std::string_view json);

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_ASSESSMENT_TEXT_H_
