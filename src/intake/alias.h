// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/alias.h: the reviewer-facing name of a source, two random words
// ("amber-heron"). Drawn independently of the codename, so it says nothing
// about it; it only spares reviewers from reading source ids.
#ifndef SAFEHOUSE_INTAKE_ALIAS_H_
#define SAFEHOUSE_INTAKE_ALIAS_H_

#include <string>

namespace safehouse::intake {

// Two words of the English codename list joined by '-' (24 bits: aliases
// are labels, not secrets; a collision only makes two sources share a label
// and the caller draws again).
std::string random_alias();

}  // namespace safehouse::intake

#endif  // SAFEHOUSE_INTAKE_ALIAS_H_
