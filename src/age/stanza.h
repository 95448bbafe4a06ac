// SPDX-License-Identifier: AGPL-3.0-or-later
// age/stanza.h: one recipient stanza of an age header ("-> type args...",
// then a base64 body). Recipients produce them and identities read them; the
// header format writes and parses them. Knows no keys.
#ifndef SAFEHOUSE_AGE_STANZA_H_
#define SAFEHOUSE_AGE_STANZA_H_

#include <string>
#include <vector>

#include "base/byte_stream.h"

namespace safehouse::age {

struct Stanza {
  std::string type;
  std::vector<std::string> args;
  Bytes body;
};

}  // namespace safehouse::age

#endif  // SAFEHOUSE_AGE_STANZA_H_
