// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/sources.h: a source's reply recipient (the age1... key derived from
// its codename, to which reviewers encrypt replies), kept in the store's
// source record, and days as text ("2026-11-25").
#ifndef SAFEHOUSE_INTAKE_SOURCES_H_
#define SAFEHOUSE_INTAKE_SOURCES_H_

#include <string>

#include "age/x25519.h"
#include "store/store.h"
#include "store/types.h"
#include "store/write_batch.h"

namespace safehouse::intake {

// The source's reply recipient; kNotFound if the source does not exist or
// has none.
Result<age::X25519Recipient> reply_recipient(store::Store& store, const store::SourceId& source_id);

// Lower-case hex of a source id (for reviewers' tools; never shown to sources).
std::string source_id_hex(const store::SourceId& source_id);

// 20261125 → "2026-11-25".
std::string format_day(store::Day day);

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_SOURCES_H_
