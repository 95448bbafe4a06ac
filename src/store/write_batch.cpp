// SPDX-License-Identifier: AGPL-3.0-or-later
// store/write_batch.cpp: building a batch and the checks that need no
// storage (limits, days, same-batch references).
#include "store/write_batch.h"

#include <string>
#include <utility>

namespace safehouse::store {

std::size_t WriteBatch::create_source(const SourceId& source_id, std::string alias, Day day,
                                      std::string reply_recipient, Bytes signing_key) {
  ops_.emplace_back(CreateSource{source_id, std::move(alias), day, std::move(reply_recipient),
                                 std::move(signing_key)});
  return ops_.size() - 1;
}

std::size_t WriteBatch::create_case(const SourceId& source_id, Day day, bool audit_consent) {
  ops_.emplace_back(CreateCase{source_id, day, audit_consent});
  return ops_.size() - 1;
}

std::size_t WriteBatch::add_item(CaseRef case_ref, Direction direction, ItemBody body, Day day) {
  ops_.emplace_back(AddItem{case_ref, direction, std::move(body), day});
  return ops_.size() - 1;
}

std::size_t WriteBatch::set_case_status(CaseId case_id, CaseStatus status, Day day) {
  ops_.emplace_back(SetCaseStatus{case_id, status, day});
  return ops_.size() - 1;
}

std::size_t WriteBatch::put_setting(std::string key, Bytes value) {
  ops_.emplace_back(PutSetting{std::move(key), std::move(value)});
  return ops_.size() - 1;
}

std::size_t WriteBatch::run_exclusive(std::string lock,
                                      std::function<Result<std::int64_t>(SqlSession&)> run) {
  ops_.emplace_back(RunExclusive{std::move(lock), std::move(run)});
  return ops_.size() - 1;
}

namespace {

Result<void> check_day(Day day) {
  if (!is_valid_day(day)) return invalid_argument("day is not a valid YYYYMMDD date");
  return {};
}

struct Validator {
  const std::vector<Operation>& ops;
  std::size_t index;

  Result<void> operator()(const CreateSource& op) const {
    if (op.alias.empty() || op.alias.size() > kMaxAliasBytes) {
      return invalid_argument("alias must be 1 to 64 bytes");
    }
    if (op.reply_recipient.size() > kMaxReplyRecipientBytes) {
      return invalid_argument("reply recipient must be at most 256 bytes");
    }
    if (!op.signing_key.empty() && op.signing_key.size() != 32) {
      return invalid_argument("signing key must be 32 bytes");
    }
    return check_day(op.day);
  }
  Result<void> operator()(const CreateCase& op) const { return check_day(op.day); }
  Result<void> operator()(const AddItem& op) const {
    if (!op.case_ref.is_existing()) {
      std::size_t target = op.case_ref.op_index();
      if (target >= index || !std::holds_alternative<CreateCase>(ops[target])) {
        return invalid_argument("case reference does not name an earlier create_case");
      }
    }
    if (const auto* body = std::get_if<InlineBody>(&op.body)) {
      if (body->ciphertext.size() > kMaxInlineBodyBytes) {
        return Error(ErrorCode::kTooLarge, "inline body is over 64 KiB; use a blob");
      }
      if (body->ciphertext.empty()) return invalid_argument("item body is empty");
    } else if (std::get<BlobRef>(op.body).size == 0) {
      return invalid_argument("item body is empty");
    }
    return check_day(op.day);
  }
  Result<void> operator()(const SetCaseStatus& op) const { return check_day(op.day); }
  Result<void> operator()(const PutSetting& op) const {
    if (op.key.empty() || op.key.size() > kMaxSettingKeyBytes) {
      return invalid_argument("setting key must be 1 to 128 bytes");
    }
    if (op.value.size() > kMaxSettingValueBytes) {
      return Error(ErrorCode::kTooLarge, "setting value is over 1 MiB");
    }
    return {};
  }
  Result<void> operator()(const RunExclusive& op) const {
    if (op.lock.empty() || op.lock.size() > kMaxSettingKeyBytes) {
      return invalid_argument("lock name must be 1 to 128 bytes");
    }
    if (!op.run) return invalid_argument("exclusive operation has no function");
    return {};
  }
};

}  // namespace

Result<void> WriteBatch::validate() const {
  if (ops_.empty()) return invalid_argument("write batch: empty");
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    auto checked = std::visit(Validator{ops_, i}, ops_[i]);
    if (!checked)
      return checked.error().with_context("write batch: operation " + std::to_string(i));
  }
  return {};
}

}  // namespace safehouse::store
