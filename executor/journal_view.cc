// Folding a journal into per-operation and per-step status.
#include "executor/journal_view.h"

#include <algorithm>

namespace upgrade {
namespace {

OpStatus FromIntent(const JournalRecord& record) {
  OpStatus op;
  op.op = record.op;
  op.step = record.step;
  op.kind = record.GetString("kind");
  op.resource.name = record.GetString("resource");
  op.resource.type = record.GetString("resource_type");
  const Value& config = record.Get("config");
  if (config.is_map()) op.resource.config = config.as_map();
  op.action = record.GetString("action");
  op.description = record.GetString("description");
  const Value& reversible = record.Get("reversible");
  op.reversible = !reversible.is_bool() || reversible.as_bool();
  op.covered_by = record.GetString("covered_by");
  return op;
}

StepStatus& StepFor(JournalView& view, std::map<std::string, size_t>& index,
                    const std::string& step) {
  auto [it, added] = index.emplace(step, view.steps.size());
  if (added) view.steps.push_back(StepStatus{step, "", "", "", ""});
  return view.steps[it->second];
}

void ApplyOpRecord(JournalView& view, const JournalRecord& record, size_t position) {
  std::map<std::string, size_t>& index = view.op_index;
  if (record.type == "intent") {
    OpStatus fresh = FromIntent(record);
    fresh.began_at = position;
    auto it = index.find(record.op);
    if (it == index.end()) {
      index[record.op] = view.ops.size();
      view.ops.push_back(std::move(fresh));
    } else {
      view.ops[it->second] = std::move(fresh);  // retried after a reversal (resume)
    }
    return;
  }
  auto it = index.find(record.op);
  if (it == index.end()) return;
  OpStatus& op = view.ops[it->second];
  if (record.type == "prepared") {
    op.prepared = true;
    op.undo = record.Get("undo");
    const Value& reversible = record.Get("reversible");
    if (reversible.is_bool()) op.reversible = reversible.as_bool();
    op.position = position;
  } else if (record.type == "done") {
    op.done = true;
    op.ended_at = position;
    if (!record.Get("undo").is_null()) op.undo = record.Get("undo");
    op.state = record.Get("state");
    op.record = record.Get("record");
    if (op.kind == "snapshot") {
      op.prepared = true;  // a snapshot has nothing to undo, but rollback may restore it
      op.position = position;
    }
    if (op.kind == "change") view.last_states[op.resource.name] = op.state;
  } else if (record.type == "failed") {
    op.failed = true;
    op.ended_at = position;
    op.error = record.text;
  } else if (record.type == "reverse_intent") {
    op.reversing = true;
  } else if (record.type == "reverse_done") {
    op.reversed = true;
    op.reversing = false;
    op.done = op.failed = false;
    op.state = record.Get("state");
    if (op.kind == "change") view.last_states[op.resource.name] = op.state;
  } else if (record.type == "released") {
    op.released = true;
  } else if (record.type == "restore_done") {
    op.restored = true;
  }
}

}  // namespace

Value StateToValue(const State& state) {
  Value::Map map;
  map["exists"] = Value(state.exists);
  map["attributes"] = Value(state.attributes);
  return Value(std::move(map));
}

State StateFromValue(const Value& value) {
  State state;
  const Value& exists = value.Get("exists");
  state.exists = exists.is_bool() && exists.as_bool();
  const Value& attributes = value.Get("attributes");
  if (attributes.is_map()) state.attributes = attributes.as_map();
  return state;
}

ReverseRequest ReverseRequestOf(const OpStatus& op,
                                const std::map<std::string, ResourceConfig>& configs) {
  ReverseRequest request;
  request.kind = op.kind == "action" ? Operation::Kind::kAction : Operation::Kind::kChange;
  request.resource = op.resource;
  auto config = configs.find(op.resource.name);
  if (op.kind == "change" && config != configs.end()) request.resource = config->second;
  request.undo = op.undo;
  return request;
}

Durability ReversalEndDurability(Operation::Kind kind) {
  return kind == Operation::Kind::kChange ? Durability::kWritten : Durability::kSynced;
}

const OpStatus* JournalView::FindOp(const std::string& op) const {
  auto it = op_index.find(op);
  return it == op_index.end() ? nullptr : &ops[it->second];
}

std::vector<std::string> JournalView::CompletedSteps() const {
  std::vector<std::string> out;
  for (const auto& step : steps) {
    if (step.outcome == "ok") out.push_back(step.step);
  }
  return out;
}

std::string JournalView::Status() const {
  if (rollback_started && !rollback_finished) return "rollback interrupted";
  if (!outcome.empty()) return outcome;
  return "interrupted";
}

JournalView ViewJournal(const std::vector<JournalRecord>& records) {
  JournalView view;
  std::map<std::string, size_t> step_index;
  for (size_t i = 0; i < records.size(); ++i) {
    const JournalRecord& record = records[i];
    if (record.type == "header") {
      view.run_id = record.GetString("run");
      view.plan_path = record.GetString("plan");
      view.started = record.time;
    } else if (record.type == "resume") {
      view.outcome.clear();
      view.finished.clear();
    } else if (record.type == "step_begin") {
      StepStatus& step = StepFor(view, step_index, record.step);
      step.began = record.time;
      step.ended = step.outcome = step.error = "";
    } else if (record.type == "step_end") {
      StepStatus& step = StepFor(view, step_index, record.step);
      step.ended = record.time;
      step.outcome = record.GetString("outcome");
      step.error = record.text;
    } else if (record.type == "run_end") {
      view.outcome = record.GetString("outcome");
      view.finished = record.time;
    } else if (record.type == "rollback_begin") {
      view.rollback_started = true;
      view.rollback_finished = false;
    } else if (record.type == "rollback_end") {
      view.rollback_finished = true;
      view.outcome = record.GetString("outcome");
      view.finished = record.time;
    } else {
      ApplyOpRecord(view, record, i);
    }
  }
  return view;
}

}  // namespace upgrade
