// CheckProgram: names (declared once, references resolved to their roots), provider schemas
// (types, attributes, actions, functions), literal types, `each` scoping and inputs. The order
// of steps is checked in checker_graph.cc.
#include "lang/checker.h"

#include <algorithm>
#include <unordered_map>

namespace upgrade {
namespace {

/// What a root name stands for.
enum class NameKind { kLet, kResource, kStep, kImport };

const char* KindName(NameKind kind) {
  switch (kind) {
    case NameKind::kLet: return "let";
    case NameKind::kResource: return "resource";
    case NameKind::kStep: return "step";
    case NameKind::kImport: return "import";
  }
  return "name";
}

/// Where a name was declared (in the program, whose lists do not change while it is checked)
/// and what it is.
struct Declaration {
  NameKind kind;
  const SourceRange* range;
};

/// The references met while checking the expressions of one block.
struct Context {
  bool each_allowed = false;
  std::vector<DependencyEdge>* refs = nullptr;  ///< let and step references, with their place
};

/// The static type of an expression when it is evident without evaluating it.
std::optional<Value::Type> StaticType(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::kLiteral:
      if (expr.literal.is_null()) return std::nullopt;
      return expr.literal.type();
    case Expr::Kind::kTemplate: return Value::Type::kString;
    case Expr::Kind::kList: return Value::Type::kList;
    case Expr::Kind::kMap: return Value::Type::kMap;
    case Expr::Kind::kUnary:
      return expr.name == "!" ? std::optional(Value::Type::kBool) : std::nullopt;
    case Expr::Kind::kBinary: {
      const std::string& op = expr.name;
      if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") return std::nullopt;
      return Value::Type::kBool;
    }
    default: return std::nullopt;
  }
}

bool Accepts(AttrType type, Value::Type value) {
  switch (type) {
    case AttrType::kAny: return true;
    case AttrType::kString: return value == Value::Type::kString;
    case AttrType::kNumber: return value == Value::Type::kNumber;
    case AttrType::kBool: return value == Value::Type::kBool;
    case AttrType::kDuration: return value == Value::Type::kDuration;
    case AttrType::kList: return value == Value::Type::kList;
    case AttrType::kMap: return value == Value::Type::kMap;
    case AttrType::kResource: return false;
  }
  return true;
}

std::string Article(const char* type) {
  return (std::string("aeiou").find(type[0]) != std::string::npos ? "an " : "a ") +
         std::string(type);
}

/// Checks one program in place.
class Checker {
 public:
  Checker(Program& program, const SchemaRegistry& registry, const CheckOptions& options,
          bool is_main, Diagnostics& diagnostics)
      : program_(program),
        registry_(registry),
        options_(options),
        is_main_(is_main),
        diagnostics_(diagnostics) {}

  void Run();

 private:
  void DeclareNames();
  const Resource* FindResource(const std::string& name) const {
    auto it = resources_.find(name);
    return it == resources_.end() ? nullptr : it->second;
  }
  void Declare(const std::string& name, NameKind kind, const SourceRange& range);
  std::vector<std::string> Candidates(bool with_roots) const;

  void CheckExpr(Expr& expr, Context& context);
  void ResolveChain(Expr& expr, Context& context);
  void CheckRoot(Expr& expr, Context& context, const std::string& next_attribute,
                 const SourceRange& next_range);
  void CheckCall(Expr& expr, Context& context);
  void ReportUnknown(const SourceRange& range, const std::string& kind, const std::string& name,
                     const std::vector<std::string>& names);
  void CheckResourceAttribute(const Expr& expr);

  void CheckAttributes(std::vector<Attribute>& attributes,
                       const std::vector<AttributeSchema>* schema, const std::string& owner,
                       bool in_resource, Context& context);
  /// Reports each required attribute of `schema` that `attributes` leave out; `owner` names
  /// what lacks it ("resource 'web' (docker.container)"), made only when something is missing.
  template <typename Owner>
  void CheckRequired(const std::vector<Attribute>& attributes,
                     const std::vector<AttributeSchema>& schema, const Owner& owner,
                     const SourceRange& range);
  void CheckValueType(const Attribute& attribute, const AttributeSchema& schema,
                      const std::string& owner);

  void CheckInputs();
  void CheckResources();
  void CheckSteps();
  void CheckStatement(std::size_t index, Statement& statement, Context& context);
  const Resource* CheckTarget(Statement& statement, Context& context);
  void CheckLets();

  Program& program_;
  const SchemaRegistry& registry_;
  const CheckOptions& options_;
  bool is_main_;
  Diagnostics& diagnostics_;
  std::unordered_map<std::string, Declaration> names_;
  std::unordered_map<std::string, const Resource*> resources_;  ///< by name, for speed
  std::set<std::string> used_inputs_;
  std::vector<std::vector<DependencyEdge>> let_refs_;
  std::vector<std::vector<DependencyEdge>> step_refs_;
  std::vector<std::map<std::string, const SourceRange*>> touch_sites_;  ///< into program_
};

void Checker::Declare(const std::string& name, NameKind kind, const SourceRange& range) {
  if (name == "input" || name == "each") {
    diagnostics_.Error(range, "'" + name + "' is reserved and cannot name a " + KindName(kind));
    return;
  }
  auto [it, inserted] = names_.emplace(name, Declaration{kind, &range});
  if (inserted) return;
  std::string what =
      it->second.kind == kind ? "" : std::string(" (already a ") + KindName(it->second.kind) + ")";
  Diagnostic& error = diagnostics_.Error(range, std::string("duplicate name '") + name + "'" + what);
  error.notes.push_back({Severity::kNote, *it->second.range, "first declared here", {}});
}

void Checker::DeclareNames() {
  std::unordered_map<std::string, SourceRange> inputs;
  for (const auto& input : program_.inputs) {
    auto [it, inserted] = inputs.emplace(input.name, input.range);
    if (!inserted) {
      Diagnostic& error = diagnostics_.Error(input.range, "duplicate input '" + input.name + "'");
      error.notes.push_back({Severity::kNote, it->second, "first declared here", {}});
    }
  }
  names_.reserve(program_.imports.size() + program_.lets.size() + program_.resources.size() +
                 program_.steps.size());
  resources_.reserve(program_.resources.size());
  for (const auto& import : program_.imports) Declare(import.alias, NameKind::kImport, import.range);
  for (const auto& let : program_.lets) Declare(let.name, NameKind::kLet, let.range);
  for (const auto& resource : program_.resources) {
    Declare(resource.name, NameKind::kResource, resource.range);
    resources_.emplace(resource.name, &resource);
  }
  for (const auto& step : program_.steps) Declare(step.name, NameKind::kStep, step.range);
}

std::vector<std::string> Checker::Candidates(bool with_roots) const {
  std::vector<std::string> names;
  for (const auto& [name, declaration] : names_) {
    if (declaration.kind != NameKind::kImport) names.push_back(name);
  }
  if (with_roots) {
    names.push_back("input");
    names.push_back("each");
  }
  std::sort(names.begin(), names.end());
  return names;
}

void Checker::CheckExpr(Expr& expr, Context& context) {
  switch (expr.kind) {
    case Expr::Kind::kReference:
    case Expr::Kind::kAttribute: {
      const Expr* base = &expr;
      while (base->kind == Expr::Kind::kAttribute) base = &base->operands[0];
      if (base->kind == Expr::Kind::kReference) {
        ResolveChain(expr, context);
        return;
      }
      CheckExpr(expr.operands[0], context);
      CheckResourceAttribute(expr);
      return;
    }
    case Expr::Kind::kCall: CheckCall(expr, context); return;
    default:
      for (auto& operand : expr.operands) CheckExpr(operand, context);
      return;
  }
}

// `a.b.c` over a reference: the longest dotted prefix that names something becomes the root
// (`pg.db` for a resource of import `pg`); the rest stay attributes.
void Checker::ResolveChain(Expr& expr, Context& context) {
  std::vector<Expr*> chain;  // chain[0] = the reference, chain[k] = k-th attribute above it
  chain.reserve(4);          // room for `a.b.c.d` at once (most chains are `input.x`)
  for (Expr* node = &expr;; node = &node->operands[0]) {
    chain.push_back(node);
    if (node->kind == Expr::Kind::kReference) break;
  }
  std::reverse(chain.begin(), chain.end());
  std::string joined = chain[0]->name;
  std::size_t root_length = 0;
  bool import_prefix = false;
  for (std::size_t k = 0; k < chain.size(); ++k) {
    if (k > 0) joined.append(".").append(chain[k]->name);
    auto it = names_.find(joined);
    if (k == 0 && (joined == "input" || joined == "each")) root_length = 1;
    if (it == names_.end()) continue;
    if (it->second.kind == NameKind::kImport) {
      import_prefix = true;
    } else {
      root_length = k + 1;
    }
  }
  if (root_length == 0) {
    const std::string& first = chain[0]->name;
    if (import_prefix && chain.size() > 1) {
      diagnostics_.Error(chain[1]->range, "import '" + first + "' has no resource, step or let named '" +
                                              chain[1]->name + "'");
    } else if (import_prefix) {
      diagnostics_.Error(chain[0]->range, "'" + first + "' is an import: name one of its " +
                                              "resources, steps or lets, such as " + first + ".NAME");
    } else {
      diagnostics_.Error(chain[0]->range,
                         "unknown name '" + first + "'" + DidYouMean(first, Candidates(true)));
    }
    return;
  }
  if (root_length > 1) {
    // Fold chain[0..root_length) into one reference named by the dotted prefix.
    Expr* top = chain[root_length - 1];
    Expr root;
    root.kind = Expr::Kind::kReference;
    root.range = top->range;
    root.name = chain[0]->name;
    for (std::size_t k = 1; k < root_length; ++k) root.name += "." + chain[k]->name;
    *top = std::move(root);
    chain.erase(chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(root_length - 1));
  }
  static const std::string kNone;
  static const SourceRange kNowhere;
  const std::string& next = chain.size() > 1 ? chain[1]->name : kNone;
  const SourceRange& next_range = chain.size() > 1 ? chain[1]->range : kNowhere;
  CheckRoot(*chain[0], context, next, next_range);
  if (chain.size() > 1) CheckResourceAttribute(*chain[1]);
}

void Checker::CheckRoot(Expr& expr, Context& context, const std::string& next_attribute,
                        const SourceRange& next_range) {
  const std::string& name = expr.name;
  if (name == "input") {
    if (next_attribute.empty()) return;
    if (program_.FindInput(next_attribute) == nullptr) {
      std::vector<std::string> inputs;
      for (const auto& input : program_.inputs) inputs.push_back(input.name);
      diagnostics_.Error(next_range, "unknown input '" + next_attribute + "'" +
                                         DidYouMean(next_attribute, inputs));
    }
    used_inputs_.insert(next_attribute);
    return;
  }
  if (name == "each") {
    if (!context.each_allowed) {
      diagnostics_.Error(expr.range, "'each' is only valid inside a block with for_each");
    } else if (!next_attribute.empty() && next_attribute != "key" && next_attribute != "value") {
      diagnostics_.Error(next_range, "each has only 'key' and 'value', not '" + next_attribute + "'");
    }
    return;
  }
  const Declaration& declaration = names_.at(name);
  if (context.refs != nullptr &&
      (declaration.kind == NameKind::kLet || declaration.kind == NameKind::kStep)) {
    context.refs->push_back({name, expr.range, "", false});
  }
}

// `db.version`, `node[k].state`: the attribute must exist in the resource type's schema.
void Checker::CheckResourceAttribute(const Expr& expr) {
  if (expr.kind != Expr::Kind::kAttribute) return;
  const Expr* object = &expr.operands[0];
  if (object->kind == Expr::Kind::kIndex) object = &object->operands[0];
  if (object->kind != Expr::Kind::kReference) return;
  const Resource* resource = FindResource(object->name);
  if (resource == nullptr) return;
  bool indexed = &expr.operands[0] != object;
  if (indexed != resource->for_each.has_value()) return;  // reported where the index is checked
  const ResourceTypeSchema* schema = registry_.FindResource(resource->type);
  if (schema == nullptr || schema->Find(expr.name) != nullptr) return;
  std::vector<std::string> names;
  for (const auto& attribute : schema->attributes) names.push_back(attribute.name);
  diagnostics_.Error(expr.range, resource->type + " has no attribute '" + expr.name + "'" +
                                     DidYouMean(expr.name, names));
}

// "unknown KIND 'NAME'" with the nearest of `names`, and, when the provider of NAME's namespace
// could not be loaded, why, as a note: the cause, not only its effect.
void Checker::ReportUnknown(const SourceRange& range, const std::string& kind,
                            const std::string& name, const std::vector<std::string>& names) {
  Diagnostic& error =
      diagnostics_.Error(range, "unknown " + kind + " '" + name + "'" + DidYouMean(name, names));
  std::string why = registry_.WhyNotDescribed(name);
  if (!why.empty()) error.notes.push_back({Severity::kNote, {}, why, {}});
}

void Checker::CheckCall(Expr& expr, Context& context) {
  for (auto& operand : expr.operands) CheckExpr(operand, context);
  if (expr.name.empty()) return;  // reported by the parser
  const FunctionSchema* function = registry_.FindFunction(expr.name);
  if (function == nullptr) {
    ReportUnknown(expr.range, "function", expr.name, registry_.FunctionNames());
    return;
  }
  int count = static_cast<int>(expr.operands.size());
  if (count < function->min_args || (function->max_args >= 0 && count > function->max_args)) {
    std::string expected =
        function->max_args < 0 ? "at least " + std::to_string(function->min_args)
        : function->min_args == function->max_args
            ? std::to_string(function->min_args)
            : std::to_string(function->min_args) + " to " + std::to_string(function->max_args);
    bool one = expected == "1" || expected == "at least 1";
    diagnostics_.Error(expr.range, expr.name + "() takes " + expected +
                                       (one ? " argument" : " arguments") + ", got " +
                                       std::to_string(count));
    return;
  }
  for (std::size_t i = 0; i < function->arg_types.size() && i < expr.operands.size(); ++i) {
    auto type = StaticType(expr.operands[i]);
    AttrType wanted = function->arg_types[i];
    if (!type || wanted == AttrType::kResource || Accepts(wanted, *type)) continue;
    diagnostics_.Error(expr.operands[i].range,
                       "argument " + std::to_string(i + 1) + " of " + expr.name + "() must be " +
                           Article(AttrTypeName(wanted)) + ", got " +
                           Article(Value::TypeName(*type)));
  }
}

void Checker::CheckValueType(const Attribute& attribute, const AttributeSchema& schema,
                             const std::string& owner) {
  const Expr& value = attribute.value;
  if (schema.type == AttrType::kResource) {
    const Expr* reference = &value;
    if (reference->kind == Expr::Kind::kIndex) reference = &reference->operands[0];
    if (reference->kind == Expr::Kind::kReference && FindResource(reference->name)) return;
    diagnostics_.Error(value.range, "attribute '" + attribute.name + "' of " + owner +
                                        " expects a resource, such as " + attribute.name +
                                        " = NAME");
    return;
  }
  auto type = StaticType(value);
  if (!type || Accepts(schema.type, *type)) return;
  diagnostics_.Error(value.range, "attribute '" + attribute.name + "' of " + owner + " expects " +
                                      Article(AttrTypeName(schema.type)) + ", got " +
                                      Article(Value::TypeName(*type)));
}

void Checker::CheckAttributes(std::vector<Attribute>& attributes,
                              const std::vector<AttributeSchema>* schema,
                              const std::string& owner, bool in_resource, Context& context) {
  for (auto& attribute : attributes) {
    CheckExpr(attribute.value, context);
    if (schema == nullptr) continue;
    const AttributeSchema* found = nullptr;
    for (const auto& candidate : *schema)
      if (candidate.name == attribute.name) found = &candidate;
    if (found == nullptr) {
      std::vector<std::string> names;
      for (const auto& candidate : *schema) names.push_back(candidate.name);
      diagnostics_.Error(attribute.range, "unknown attribute '" + attribute.name + "' for " +
                                              owner + DidYouMean(attribute.name, names));
      continue;
    }
    if (found->computed) {
      diagnostics_.Error(attribute.range, "attribute '" + attribute.name + "' of " + owner +
                                              " is computed: plans may read it, never set it");
      continue;
    }
    if (found->identity && !in_resource) {
      diagnostics_.Error(attribute.range,
                         "attribute '" + attribute.name + "' is part of the identity of " + owner +
                             ": set it in the resource block, not in a step");
      continue;
    }
    CheckValueType(attribute, *found, owner);
  }
}

template <typename Owner>
void Checker::CheckRequired(const std::vector<Attribute>& attributes,
                            const std::vector<AttributeSchema>& schema, const Owner& owner,
                            const SourceRange& range) {
  for (const auto& wanted : schema) {
    if (!wanted.required) continue;
    bool given = std::any_of(attributes.begin(), attributes.end(),
                             [&](const Attribute& a) { return a.name == wanted.name; });
    if (!given) diagnostics_.Error(range, owner() + " needs attribute '" + wanted.name + "'");
  }
}


void Checker::CheckInputs() {
  static const std::map<std::string, Value::Type> kTypes = {
      {"string", Value::Type::kString},     {"number", Value::Type::kNumber},
      {"bool", Value::Type::kBool},         {"duration", Value::Type::kDuration},
      {"list", Value::Type::kList},         {"map", Value::Type::kMap}};
  Context context;
  for (auto& input : program_.inputs) {
    auto declared = kTypes.find(input.type);
    if (input.default_value) {
      CheckExpr(*input.default_value, context);
      auto type = StaticType(*input.default_value);
      if (declared != kTypes.end() && type && *type != declared->second) {
        diagnostics_.Error(input.default_value->range,
                           "default of input '" + input.name + "' is " +
                               Article(Value::TypeName(*type)) + ", but its type is " + input.type);
      }
    }
    if (!is_main_) continue;
    auto given = options_.given_inputs.find(input.name);
    if (given != options_.given_inputs.end()) {
      if (declared != kTypes.end() && given->second.type() != declared->second &&
          !given->second.is_unknown()) {
        diagnostics_.Error(input.range, "input '" + input.name + "' is " +
                                            Article(input.type.c_str()) + ", but " +
                                            Article(Value::TypeName(given->second.type())) +
                                            " was given");
      }
    } else if (options_.require_inputs && !input.default_value) {
      diagnostics_.Error(input.range, "input '" + input.name + "' is required: give it with --var " +
                                          input.name + "=VALUE");
    }
  }
  if (!is_main_) return;
  std::vector<std::string> names;
  for (const auto& input : program_.inputs) names.push_back(input.name);
  for (const auto& [name, value] : options_.given_inputs) {
    if (program_.FindInput(name) != nullptr) continue;
    SourceRange range;
    range.begin.path = program_.path;
    diagnostics_.Error(range, "unknown input '" + name + "' given" + DidYouMean(name, names));
  }
}

void Checker::CheckLets() {
  let_refs_.resize(program_.lets.size());
  for (std::size_t i = 0; i < program_.lets.size(); ++i) {
    Context context;
    context.refs = &let_refs_[i];
    CheckExpr(program_.lets[i].value, context);
  }
}

void Checker::CheckResources() {
  for (auto& resource : program_.resources) {
    Context context;
    if (resource.for_each) CheckExpr(*resource.for_each, context);
    context.each_allowed = resource.for_each.has_value();
    const ResourceTypeSchema* schema = registry_.FindResource(resource.type);
    if (schema == nullptr) {
      ReportUnknown(resource.type_range, "resource type", resource.type,
                    registry_.ResourceNames());
      CheckAttributes(resource.attributes, nullptr, resource.type, true, context);
      continue;
    }
    CheckAttributes(resource.attributes, &schema->attributes, resource.type, true, context);
    CheckRequired(
        resource.attributes, schema->attributes,
        [&] { return "resource '" + resource.name + "' (" + resource.type + ")"; },
        resource.range);
  }
}

const Resource* Checker::CheckTarget(Statement& statement, Context& context) {
  if (statement.target_index) CheckExpr(*statement.target_index, context);
  const Resource* resource = FindResource(statement.target);
  if (resource == nullptr) {
    std::vector<std::string> names;
    for (const auto& candidate : program_.resources) names.push_back(candidate.name);
    diagnostics_.Error(statement.range, "unknown resource '" + statement.target + "'" +
                                            DidYouMean(statement.target, names));
    return nullptr;
  }
  if (resource->for_each && !statement.target_index) {
    diagnostics_.Error(statement.range, "resource '" + resource->name +
                                            "' has for_each: name one instance, such as " +
                                            resource->name + "[each.key]");
  } else if (!resource->for_each && statement.target_index) {
    diagnostics_.Error(statement.target_index->range,
                       "resource '" + resource->name + "' has no for_each and takes no index");
  }
  return resource;
}

void Checker::CheckStatement(std::size_t index, Statement& statement, Context& context) {
  auto touch = [&](const std::string& name, const SourceRange& range) {
    touch_sites_[index].emplace(name, &range);
  };
  switch (statement.kind) {
    case Statement::Kind::kRequire:
    case Statement::Kind::kVerify: {
      CheckExpr(*statement.condition, context);
      auto type = StaticType(*statement.condition);
      if (type && *type != Value::Type::kBool) {
        const char* what = statement.kind == Statement::Kind::kRequire ? "require" : "verify";
        diagnostics_.Error(statement.condition->range, std::string(what) +
                                                           " needs a bool condition, got " +
                                                           Article(Value::TypeName(*type)));
      }
      return;
    }
    case Statement::Kind::kSet:
    case Statement::Kind::kSnapshot: {
      const Resource* resource = CheckTarget(statement, context);
      const ResourceTypeSchema* schema =
          resource ? registry_.FindResource(resource->type) : nullptr;
      if (resource) touch(resource->name, statement.range);
      if (statement.kind == Statement::Kind::kSet) {
        CheckAttributes(statement.attributes, schema ? &schema->attributes : nullptr,
                        resource ? resource->type : "", false, context);
      } else {
        for (auto& attribute : statement.attributes) CheckExpr(attribute.value, context);
        if (schema && !schema->snapshot) {
          diagnostics_.Error(statement.range, "resource type " + resource->type +
                                                  " does not support snapshot");
        }
      }
      return;
    }
    case Statement::Kind::kRun: {
      const ActionSchema* action = registry_.FindAction(statement.target);
      if (action == nullptr) {
        ReportUnknown(statement.range, "action", statement.target, registry_.ActionNames());
      }
      CheckAttributes(statement.attributes, action ? &action->attributes : nullptr,
                      statement.target, true, context);
      if (action) {
        CheckRequired(statement.attributes, action->attributes,
                      [&] { return "action " + statement.target; },
                      statement.range);
      }
      // A run statement touches the resources its attributes name directly (`database = db`).
      for (const auto& attribute : statement.attributes) {
        const Expr* value = &attribute.value;
        if (value->kind == Expr::Kind::kIndex) value = &value->operands[0];
        if (value->kind == Expr::Kind::kReference && FindResource(value->name)) {
          touch(value->name, statement.range);
        }
      }
      return;
    }
  }
}

void Checker::CheckSteps() {
  step_refs_.resize(program_.steps.size());
  touch_sites_.resize(program_.steps.size());
  for (std::size_t i = 0; i < program_.steps.size(); ++i) {
    Step& step = program_.steps[i];
    Context context;
    context.refs = &step_refs_[i];
    if (step.for_each) CheckExpr(*step.for_each, context);
    if (step.serial != 0 && !step.for_each) {
      diagnostics_.Error(step.range, "serial needs for_each: it sets how many instances run at once");
    }
    for (const auto& after : step.after) {
      auto declared = names_.find(after.name);
      if (declared != names_.end() && declared->second.kind == NameKind::kStep) continue;
      std::vector<std::string> names;
      for (const auto& other : program_.steps) names.push_back(other.name);
      diagnostics_.Error(after.range, "unknown step '" + after.name + "' in after" +
                                          DidYouMean(after.name, names));
    }
    context.each_allowed = step.for_each.has_value();
    for (auto& statement : step.statements) CheckStatement(i, statement, context);
  }
}

void Checker::Run() {
  if (is_main_ && !program_.plan.range.begin.Known()) {
    SourceRange range;
    range.begin = {program_.path, 1, 1};
    diagnostics_.Error(range, "missing plan block: a plan file needs plan \"NAME\" { ... }");
  }
  DeclareNames();
  CheckInputs();
  CheckLets();
  CheckResources();
  CheckSteps();
  for (auto& import : program_.imports) {
    Context context;
    for (auto& attribute : import.inputs) {
      if (attribute.range.begin.path == program_.path) CheckExpr(attribute.value, context);
    }
  }
  if (is_main_) {
    for (const auto& input : program_.inputs) {
      if (used_inputs_.count(input.name) == 0) {
        diagnostics_.Warning(input.range, "input '" + input.name + "' is never used");
      }
    }
  }
  // Let references reach steps: a step depends on the steps its lets refer to.
  std::vector<std::vector<DependencyEdge>> edges(program_.steps.size());
  std::unordered_map<std::string, std::size_t> let_index;
  for (std::size_t i = 0; i < program_.lets.size(); ++i) let_index[program_.lets[i].name] = i;
  CheckLetCycles(program_, let_refs_, diagnostics_);
  std::vector<std::vector<std::string>> through_lets = StepsThroughLets(program_, let_refs_);
  for (std::size_t i = 0; i < program_.steps.size(); ++i) {
    for (const auto& after : program_.steps[i].after) {
      edges[i].push_back({after.name, after.range, "", true});
    }
    for (const auto& ref : step_refs_[i]) {
      auto let = let_index.find(ref.to);
      if (let == let_index.end()) {
        edges[i].push_back(ref);
        continue;
      }
      for (const auto& step_name : through_lets[let->second]) {
        edges[i].push_back({step_name, ref.range, ref.to, false});
      }
    }
  }
  if (diagnostics_.HasErrors()) return;
  CheckStepGraph(program_, edges, touch_sites_, is_main_, diagnostics_);
}

}  // namespace

void CheckProgram(Program& program, const SchemaRegistry& registry, const CheckOptions& options,
                  bool is_main, Diagnostics& diagnostics) {
  Diagnostics local;
  Checker checker(program, registry, options, is_main, local);
  checker.Run();
  diagnostics.Append(local);
}

}  // namespace upgrade
