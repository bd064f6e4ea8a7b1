#include "floe/iceberg/expression.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

#include "floe/iceberg/datetime.h"
#include "floe/iceberg/values.h"
#include "floe/util/uuid.h"

namespace floe::iceberg {

std::string_view ExprOpName(ExprOp op) {
  switch (op) {
    case ExprOp::kTrue: return "TRUE";
    case ExprOp::kFalse: return "FALSE";
    case ExprOp::kAnd: return "AND";
    case ExprOp::kOr: return "OR";
    case ExprOp::kNot: return "NOT";
    case ExprOp::kIsNull: return "IS NULL";
    case ExprOp::kNotNull: return "IS NOT NULL";
    case ExprOp::kEq: return "=";
    case ExprOp::kNotEq: return "!=";
    case ExprOp::kLt: return "<";
    case ExprOp::kLtEq: return "<=";
    case ExprOp::kGt: return ">";
    case ExprOp::kGtEq: return ">=";
    case ExprOp::kIn: return "IN";
    case ExprOp::kNotIn: return "NOT IN";
  }
  return "?";
}

Expression Expression::And(Expression a, Expression b) {
  if (a.op == ExprOp::kFalse || b.op == ExprOp::kFalse) return False();
  if (a.op == ExprOp::kTrue) return b;
  if (b.op == ExprOp::kTrue) return a;
  Expression e;
  e.op = ExprOp::kAnd;
  e.children.push_back(std::move(a));
  e.children.push_back(std::move(b));
  return e;
}

Expression Expression::Or(Expression a, Expression b) {
  if (a.op == ExprOp::kTrue || b.op == ExprOp::kTrue) return True();
  if (a.op == ExprOp::kFalse) return b;
  if (b.op == ExprOp::kFalse) return a;
  Expression e;
  e.op = ExprOp::kOr;
  e.children.push_back(std::move(a));
  e.children.push_back(std::move(b));
  return e;
}

Expression Expression::Not(Expression a) {
  if (a.op == ExprOp::kTrue) return False();
  if (a.op == ExprOp::kFalse) return True();
  Expression e;
  e.op = ExprOp::kNot;
  e.children.push_back(std::move(a));
  return e;
}

namespace {

std::string QuoteString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string QuoteColumn(std::string_view name) {
  bool plain =
      !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') plain = false;
  }
  static const char* kKeywords[] = {"AND",  "OR",   "NOT",   "IS",     "IN",
                                    "NULL", "TRUE", "FALSE", "BETWEEN"};
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* kw : kKeywords) plain &= upper != kw;
  if (plain) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string LiteralText(const ExprLiteral& lit) {
  switch (lit.kind) {
    case ExprLiteral::Kind::kNumber:
    case ExprLiteral::Kind::kBoolean: return lit.text;
    case ExprLiteral::Kind::kString: return QuoteString(lit.text);
    case ExprLiteral::Kind::kBinary: {
      static const char* kHex = "0123456789ABCDEF";
      std::string out = "X'";
      for (unsigned char c : lit.text) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out + "'";
    }
  }
  return lit.text;
}

// A bound value written back as a literal that binds to the same value.
ExprLiteral BoundLiteralText(const Literal& v) {
  switch (v.type().id) {
    case TypeId::kBoolean: return {ExprLiteral::Kind::kBoolean, v.bool_value() ? "true" : "false"};
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kFloat:
    case TypeId::kDouble: {
      std::string s = v.ToString();
      if (s == "NaN" || s == "Infinity" || s == "-Infinity") return {ExprLiteral::Kind::kString, s};
      return {ExprLiteral::Kind::kNumber, s};
    }
    case TypeId::kDecimal:
      return {ExprLiteral::Kind::kNumber, DecimalToString(v.decimal_unscaled(), v.type().scale)};
    case TypeId::kDate: return {ExprLiteral::Kind::kString, FormatDate(v.int_value())};
    case TypeId::kTime: return {ExprLiteral::Kind::kString, FormatTime(v.long_value())};
    case TypeId::kTimestamp:
      return {ExprLiteral::Kind::kString, FormatTimestamp(v.long_value(), false)};
    case TypeId::kTimestampTz:
      return {ExprLiteral::Kind::kString, FormatTimestamp(v.long_value(), true)};
    case TypeId::kString: return {ExprLiteral::Kind::kString, v.bytes_value()};
    case TypeId::kUuid: return {ExprLiteral::Kind::kString, v.uuid_value().ToString()};
    case TypeId::kFixed:
    case TypeId::kBinary: return {ExprLiteral::Kind::kBinary, v.bytes_value()};
    default: return {ExprLiteral::Kind::kString, v.ToString()};
  }
}

}  // namespace

std::string Expression::ToString() const {
  switch (op) {
    case ExprOp::kTrue: return "TRUE";
    case ExprOp::kFalse: return "FALSE";
    case ExprOp::kAnd:
    case ExprOp::kOr: {
      // A chain "a OR b OR c" parses left-deep; print it flat so the text parses back to the
      // same tree without one parenthesis per term (found by expression_fuzz: 60 ORs printed as
      // 60 nested parentheses passed the nesting limit).
      std::vector<const Expression*> rights;
      const Expression* left = this;
      while (left->op == op) {
        rights.push_back(&left->children[1]);
        left = &left->children[0];
      }
      std::string out = "(" + left->ToString();
      for (auto it = rights.rbegin(); it != rights.rend(); ++it) {
        out += " " + std::string(ExprOpName(op)) + " " + (*it)->ToString();
      }
      return out + ")";
    }
    case ExprOp::kNot: return "(NOT " + children[0].ToString() + ")";
    default: break;
  }
  std::vector<ExprLiteral> lits;
  if (bound) {
    for (const Literal& v : values) lits.push_back(BoundLiteralText(v));
  } else {
    lits = literals;
  }
  std::string out = QuoteColumn(column) + " " + std::string(ExprOpName(op));
  if (op == ExprOp::kIsNull || op == ExprOp::kNotNull) return out;
  if (op == ExprOp::kIn || op == ExprOp::kNotIn) {
    out += " (";
    for (size_t i = 0; i < lits.size(); ++i) out += (i ? ", " : "") + LiteralText(lits[i]);
    return out + ")";
  }
  return out + " " + (lits.empty() ? std::string("NULL") : LiteralText(lits[0]));
}

// ------------------------------------------------------------------ tokens and parser

namespace {

enum class Tok {
  kEnd,
  kIdent,
  kQuotedIdent,
  kString,
  kNumber,
  kBinary,
  kOp,
  kLParen,
  kRParen,
  kComma
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  size_t pos = 0;
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Status SyntaxError(size_t pos, std::string_view what) {
  return Status::InvalidArgument("filter expression: at position " + std::to_string(pos) + ": " +
                                 std::string(what));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  auto read_quoted = [&](char quote, std::string* value) -> Status {
    size_t start = i++;
    while (true) {
      if (i >= text.size()) return SyntaxError(start, "unterminated quoted text");
      if (text[i] == quote) {
        if (i + 1 < text.size() && text[i + 1] == quote) {
          *value += quote;
          i += 2;
          continue;
        }
        ++i;
        return Status::OK();
      }
      *value += text[i++];
    }
  };
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if ((c == 'X' || c == 'x') && i + 1 < text.size() && text[i + 1] == '\'') {
      ++i;
      std::string hex;
      FLOE_RETURN_IF_ERROR(read_quoted('\'', &hex));
      if (hex.size() % 2 != 0)
        return SyntaxError(t.pos, "binary literal needs an even number of hex digits");
      for (size_t k = 0; k < hex.size(); k += 2) {
        int hi = HexValue(hex[k]), lo = HexValue(hex[k + 1]);
        if (hi < 0 || lo < 0) return SyntaxError(t.pos, "binary literal has a non-hex digit");
        t.text += static_cast<char>(hi * 16 + lo);
      }
      t.kind = Tok::kBinary;
    } else if (IsIdentStart(c)) {
      while (i < text.size() && IsIdentChar(text[i])) t.text += text[i++];
      t.kind = Tok::kIdent;
    } else if (c == '`' || c == '"') {
      FLOE_RETURN_IF_ERROR(read_quoted(c, &t.text));
      if (t.text.empty()) return SyntaxError(t.pos, "empty column name");
      t.kind = Tok::kQuotedIdent;
    } else if (c == '\'') {
      FLOE_RETURN_IF_ERROR(read_quoted('\'', &t.text));
      t.kind = Tok::kString;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               ((c == '-' || c == '+' || c == '.') && i + 1 < text.size() &&
                (std::isdigit(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '.'))) {
      if (c == '-' || c == '+') t.text += text[i++];
      bool exp = false;
      while (i < text.size()) {
        char d = text[i];
        if (std::isdigit(static_cast<unsigned char>(d)) || d == '.') {
          t.text += d;
          ++i;
        } else if ((d == 'e' || d == 'E') && !exp) {
          exp = true;
          t.text += d;
          ++i;
          if (i < text.size() && (text[i] == '-' || text[i] == '+')) t.text += text[i++];
        } else {
          break;
        }
      }
      t.kind = Tok::kNumber;
    } else if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? Tok::kLParen : c == ')' ? Tok::kRParen : Tok::kComma;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      t.kind = Tok::kOp;
      t.text = std::string(1, c);
      ++i;
      if (i < text.size() && (text[i] == '=' || (c == '<' && text[i] == '>'))) t.text += text[i++];
      if (t.text == "!") return SyntaxError(t.pos, "'!' must be followed by '='");
    } else {
      return SyntaxError(i, std::string("unexpected character '") + c + "'");
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = text.size();
  out.push_back(end);
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<Expression> ParseAll() {
    FLOE_ASSIGN_OR_RETURN(Expression e, ParseOr(0));
    if (Peek().kind != Tok::kEnd)
      return SyntaxError(Peek().pos, "expected AND, OR or the end, found '" + Peek().text + "'");
    return e;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t k = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[k];
  }
  Token Next() {
    Token t = Peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool IsKeyword(const Token& t, std::string_view kw) const {
    return t.kind == Tok::kIdent && Upper(t.text) == kw;
  }
  bool AcceptKeyword(std::string_view kw) {
    if (!IsKeyword(Peek(), kw)) return false;
    Next();
    return true;
  }
  Status ExpectKeyword(std::string_view kw) {
    if (AcceptKeyword(kw)) return Status::OK();
    return SyntaxError(Peek().pos, "expected " + std::string(kw) + ", found " + Describe(Peek()));
  }
  static std::string Describe(const Token& t) {
    return t.kind == Tok::kEnd ? std::string("the end") : "'" + t.text + "'";
  }
  // AND/OR chains build left-deep trees that every later pass walks recursively.
  Status CountTerm() {
    if (++terms_ > kMaxExpressionTerms) return SyntaxError(Peek().pos, "too many AND/OR terms");
    return Status::OK();
  }
  Status CheckDepth(int depth) const {
    if (depth > kMaxExpressionDepth) return SyntaxError(Peek().pos, "expression nested too deeply");
    return Status::OK();
  }

  Result<Expression> ParseOr(int depth) {
    FLOE_RETURN_IF_ERROR(CheckDepth(depth));
    FLOE_ASSIGN_OR_RETURN(Expression left, ParseAnd(depth + 1));
    while (AcceptKeyword("OR")) {
      FLOE_RETURN_IF_ERROR(CountTerm());
      FLOE_ASSIGN_OR_RETURN(Expression right, ParseAnd(depth + 1));
      left = MakeBinary(ExprOp::kOr, std::move(left), std::move(right));
    }
    return left;
  }

  Result<Expression> ParseAnd(int depth) {
    FLOE_ASSIGN_OR_RETURN(Expression left, ParseNot(depth + 1));
    while (AcceptKeyword("AND")) {
      FLOE_RETURN_IF_ERROR(CountTerm());
      FLOE_ASSIGN_OR_RETURN(Expression right, ParseNot(depth + 1));
      left = MakeBinary(ExprOp::kAnd, std::move(left), std::move(right));
    }
    return left;
  }

  Result<Expression> ParseNot(int depth) {
    FLOE_RETURN_IF_ERROR(CheckDepth(depth));
    if (AcceptKeyword("NOT")) {
      FLOE_ASSIGN_OR_RETURN(Expression inner, ParseNot(depth + 1));
      Expression e;
      e.op = ExprOp::kNot;
      e.children.push_back(std::move(inner));
      return e;
    }
    return ParsePrimary(depth + 1);
  }

  static Expression MakeBinary(ExprOp op, Expression a, Expression b) {
    Expression e;
    e.op = op;
    e.children.push_back(std::move(a));
    e.children.push_back(std::move(b));
    return e;
  }

  Result<Expression> ParsePrimary(int depth) {
    FLOE_RETURN_IF_ERROR(CheckDepth(depth));
    const Token& t = Peek();
    if (t.kind == Tok::kLParen) {
      Next();
      FLOE_ASSIGN_OR_RETURN(Expression e, ParseOr(depth + 1));
      if (Peek().kind != Tok::kRParen)
        return SyntaxError(Peek().pos, "expected ')', found " + Describe(Peek()));
      Next();
      return e;
    }
    bool next_is_operator = Peek(1).kind == Tok::kOp || IsKeyword(Peek(1), "IS") ||
                            IsKeyword(Peek(1), "IN") || IsKeyword(Peek(1), "NOT") ||
                            IsKeyword(Peek(1), "BETWEEN");
    if (!next_is_operator && (IsKeyword(t, "TRUE") || IsKeyword(t, "FALSE"))) {
      Expression e;
      e.op = IsKeyword(t, "TRUE") ? ExprOp::kTrue : ExprOp::kFalse;
      Next();
      return e;
    }
    if (t.kind != Tok::kIdent && t.kind != Tok::kQuotedIdent) {
      return SyntaxError(t.pos, "expected a column name, '(' or NOT, found " + Describe(t));
    }
    Token column = Next();
    return ParsePredicate(column);
  }

  Result<Expression> ParsePredicate(const Token& column) {
    Expression e;
    e.column = column.text;
    e.position = column.pos;
    const Token& t = Peek();
    if (t.kind == Tok::kOp) {
      Next();
      if (t.text == "=" || t.text == "==")
        e.op = ExprOp::kEq;
      else if (t.text == "!=" || t.text == "<>")
        e.op = ExprOp::kNotEq;
      else if (t.text == "<")
        e.op = ExprOp::kLt;
      else if (t.text == "<=")
        e.op = ExprOp::kLtEq;
      else if (t.text == ">")
        e.op = ExprOp::kGt;
      else if (t.text == ">=")
        e.op = ExprOp::kGtEq;
      else
        return SyntaxError(t.pos, "unknown operator '" + t.text + "'");
      if (IsKeyword(Peek(), "NULL")) {
        return SyntaxError(Peek().pos, "compare with NULL using IS NULL or IS NOT NULL");
      }
      FLOE_ASSIGN_OR_RETURN(ExprLiteral lit, ParseLiteral());
      e.literals.push_back(std::move(lit));
      return e;
    }
    if (AcceptKeyword("IS")) {
      bool negated = AcceptKeyword("NOT");
      FLOE_RETURN_IF_ERROR(ExpectKeyword("NULL"));
      e.op = negated ? ExprOp::kNotNull : ExprOp::kIsNull;
      return e;
    }
    bool negated = AcceptKeyword("NOT");
    if (AcceptKeyword("IN")) {
      e.op = negated ? ExprOp::kNotIn : ExprOp::kIn;
      if (Peek().kind != Tok::kLParen) return SyntaxError(Peek().pos, "expected '(' after IN");
      Next();
      while (true) {
        FLOE_ASSIGN_OR_RETURN(ExprLiteral lit, ParseLiteral());
        e.literals.push_back(std::move(lit));
        if (Peek().kind == Tok::kComma) {
          Next();
          continue;
        }
        if (Peek().kind == Tok::kRParen) {
          Next();
          break;
        }
        return SyntaxError(Peek().pos,
                           "expected ',' or ')' in the IN list, found " + Describe(Peek()));
      }
      return e;
    }
    if (AcceptKeyword("BETWEEN")) {
      FLOE_ASSIGN_OR_RETURN(ExprLiteral low, ParseLiteral());
      FLOE_RETURN_IF_ERROR(ExpectKeyword("AND"));
      FLOE_ASSIGN_OR_RETURN(ExprLiteral high, ParseLiteral());
      Expression lo = e, hi = e;
      lo.op = ExprOp::kGtEq;
      lo.literals = {std::move(low)};
      hi.op = ExprOp::kLtEq;
      hi.literals = {std::move(high)};
      Expression both = MakeBinary(ExprOp::kAnd, std::move(lo), std::move(hi));
      if (!negated) return both;
      Expression n;
      n.op = ExprOp::kNot;
      n.children.push_back(std::move(both));
      return n;
    }
    return SyntaxError(Peek().pos,
                       "expected a comparison, IS [NOT] NULL, [NOT] IN or BETWEEN after column '" +
                           column.text + "', found " + Describe(Peek()));
  }

  Result<ExprLiteral> ParseLiteral() {
    Token t = Next();
    switch (t.kind) {
      case Tok::kString: return ExprLiteral{ExprLiteral::Kind::kString, t.text};
      case Tok::kNumber: return ExprLiteral{ExprLiteral::Kind::kNumber, t.text};
      case Tok::kBinary: return ExprLiteral{ExprLiteral::Kind::kBinary, t.text};
      case Tok::kIdent: {
        std::string kw = Upper(t.text);
        if (kw == "TRUE" || kw == "FALSE") {
          return ExprLiteral{ExprLiteral::Kind::kBoolean, kw == "TRUE" ? "true" : "false"};
        }
        // Typed literals as SQL writes them: DATE '2026-01-01', TIMESTAMPTZ '...'. The string is
        // coerced by the column's type either way.
        if ((kw == "DATE" || kw == "TIME" || kw == "TIMESTAMP" || kw == "TIMESTAMPTZ" ||
             kw == "UUID") &&
            Peek().kind == Tok::kString) {
          return ExprLiteral{ExprLiteral::Kind::kString, Next().text};
        }
        break;
      }
      default: break;
    }
    return Status(SyntaxError(
        t.pos, "expected a literal ('text', a number, true or false), found " + Describe(t)));
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int terms_ = 0;
};

}  // namespace

Result<Expression> ParseExpression(std::string_view text) {
  FLOE_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  if (tokens.size() == 1) return SyntaxError(0, "the expression is empty");
  Parser parser(std::move(tokens));
  return parser.ParseAll();
}

// ------------------------------------------------------------------ binding

namespace {

Result<int64_t> ParseInteger(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not an integer in range");
  }
  return v;
}

Result<double> ParseFloating(std::string_view text) {
  std::string s(text);
  if (s == "NaN" || s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity" || s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity" || s == "-inf") return -std::numeric_limits<double>::infinity();
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) {
    return Status::InvalidArgument("'" + s + "' is not a number");
  }
  // A literal too large for a double is an error, as in SQL engines, not a silent infinity.
  if (errno == ERANGE && std::isinf(v)) {
    return Status::InvalidArgument("'" + s + "' is out of range for a double");
  }
  return v;
}

// "2026-01-01 10:00:00+00" → "2026-01-01T10:00:00+00:00"; a date alone gets midnight.
std::string NormalizeTimestampText(std::string_view text, bool with_zone) {
  std::string s(text);
  if (s.size() == 10) s += "T00:00:00";
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  if (with_zone) {
    size_t t = s.find('T');
    size_t sign = s.find_last_of("+-");
    if (t != std::string::npos && sign != std::string::npos && sign > t) {
      std::string offset = s.substr(sign + 1);
      if (offset.size() == 2) s += ":00";
      if (offset.size() == 4 && offset.find(':') == std::string::npos) s.insert(sign + 3, ":");
    } else if (s.back() != 'Z') {
      s += "Z";  // no offset given: UTC
    }
  }
  return s;
}

Result<Literal> Coerce(const ExprLiteral& lit, const Type& type) {
  using K = ExprLiteral::Kind;
  auto mismatch = [&]() {
    return Status::InvalidArgument("cannot compare a " + type.ToString() + " column with " +
                                   LiteralText(lit));
  };
  switch (type.id) {
    case TypeId::kBoolean:
      if (lit.kind == K::kBoolean ||
          (lit.kind == K::kString && (lit.text == "true" || lit.text == "false"))) {
        return Literal::Boolean(lit.text == "true");
      }
      return mismatch();
    case TypeId::kInt:
    case TypeId::kLong: {
      if (lit.kind != K::kNumber && lit.kind != K::kString) return mismatch();
      auto v = ParseInteger(lit.text);
      if (!v.ok()) return mismatch();
      if (type.id == TypeId::kLong) return Literal::Long(*v);
      if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
        return Status::InvalidArgument(lit.text + " is out of range for an int column");
      }
      return Literal::Int(static_cast<int32_t>(*v));
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      if (lit.kind != K::kNumber && lit.kind != K::kString) return mismatch();
      auto v = ParseFloating(lit.text);
      if (!v.ok()) return lit.kind == K::kNumber ? v.status() : mismatch();
      if (type.id == TypeId::kDouble) return Literal::Double(*v);
      if (std::isfinite(*v) && std::fabs(*v) > std::numeric_limits<float>::max()) {
        return Status::InvalidArgument(lit.text + " is out of range for a float column");
      }
      return Literal::Float(static_cast<float>(*v));
    }
    case TypeId::kDecimal: {
      if (lit.kind != K::kNumber && lit.kind != K::kString) return mismatch();
      auto v = ParseDecimal(lit.text, type.scale);
      if (!v.ok()) {
        return Status::InvalidArgument("'" + lit.text + "' is not a decimal with at most " +
                                       std::to_string(type.scale) + " fraction digits");
      }
      return Literal::Decimal(*v, type.precision, type.scale);
    }
    case TypeId::kDate: {
      if (lit.kind != K::kString) return mismatch();
      std::string_view text = lit.text;
      auto d = ParseDate(text.substr(0, std::min<size_t>(text.size(), 10)));
      if (!d || (text.size() > 10 && !ParseTimestamp(NormalizeTimestampText(text, true), true))) {
        return Status::InvalidArgument("'" + lit.text + "' is not a date (YYYY-MM-DD)");
      }
      return Literal::Date(*d);
    }
    case TypeId::kTime: {
      if (lit.kind != K::kString) return mismatch();
      auto t = ParseTime(lit.text);
      if (!t)
        return Status::InvalidArgument("'" + lit.text + "' is not a time (HH:MM:SS[.ffffff])");
      return Literal::Time(*t);
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      if (lit.kind != K::kString) return mismatch();
      bool tz = type.id == TypeId::kTimestampTz;
      auto us = ParseTimestamp(NormalizeTimestampText(lit.text, tz), tz);
      if (!us && !tz) us = ParseTimestamp(NormalizeTimestampText(lit.text, true), true);
      if (!us) {
        return Status::InvalidArgument(
            "'" + lit.text + "' is not a timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+HH:MM])");
      }
      return tz ? Literal::TimestampTz(*us) : Literal::Timestamp(*us);
    }
    case TypeId::kString:
      if (lit.kind != K::kString) return mismatch();
      return Literal::String(lit.text);
    case TypeId::kUuid: {
      if (lit.kind != K::kString) return mismatch();
      auto u = Uuid::Parse(lit.text);
      if (!u) return Status::InvalidArgument("'" + lit.text + "' is not a uuid");
      return Literal::UuidValue(*u);
    }
    case TypeId::kFixed:
      if (lit.kind != K::kBinary && lit.kind != K::kString) return mismatch();
      if (static_cast<int32_t>(lit.text.size()) != type.length) {
        return Status::InvalidArgument("a " + type.ToString() + " value needs " +
                                       std::to_string(type.length) + " bytes");
      }
      return Literal::Fixed(lit.text);
    case TypeId::kBinary:
      if (lit.kind != K::kBinary && lit.kind != K::kString) return mismatch();
      return Literal::Binary(lit.text);
    default: return mismatch();
  }
}

const NestedField* FindColumn(const Schema& schema, const std::string& name) {
  if (const NestedField* f = schema.FindFieldByName(name)) return f;
  const NestedField* found = nullptr;
  for (const NestedField& f : schema.fields()) {
    if (Upper(f.name) == Upper(name)) {
      if (found) return nullptr;  // ambiguous without case
      found = &f;
    }
  }
  return found;
}

Result<Expression> Bind(const Expression& e, const Schema& schema) {
  if (!e.is_predicate()) {
    Expression out;
    out.op = e.op;
    for (const Expression& c : e.children) {
      FLOE_ASSIGN_OR_RETURN(Expression b, Bind(c, schema));
      out.children.push_back(std::move(b));
    }
    return out;
  }
  if (e.bound) return e;
  auto where = [&]() {
    return "filter expression: column '" + e.column + "' at position " + std::to_string(e.position);
  };
  const NestedField* field = FindColumn(schema, e.column);
  if (!field) {
    std::string names;
    for (const NestedField& f : schema.fields()) names += (names.empty() ? "" : ", ") + f.name;
    return Status::InvalidArgument(where() + ": no such column (columns: " + names + ")");
  }
  Expression out = e;
  out.bound = true;
  out.field_id = field->id;
  out.type = field->type;
  out.column = schema.FindColumnName(field->id);
  out.literals.clear();
  if (e.op == ExprOp::kIsNull || e.op == ExprOp::kNotNull) return out;
  if (!field->type.is_primitive()) {
    return Status::InvalidArgument(where() + ": a " + field->type.ToString() +
                                   " column can only be tested with IS [NOT] NULL");
  }
  for (const ExprLiteral& lit : e.literals) {
    auto v = Coerce(lit, field->type);
    if (!v.ok()) return Status::InvalidArgument(where() + ": " + v.status().message());
    out.values.push_back(std::move(*v));
  }
  if (e.op == ExprOp::kIn || e.op == ExprOp::kNotIn) {
    std::sort(out.values.begin(), out.values.end(), [](const Literal& a, const Literal& b) {
      auto c = CompareLiterals(a, b);
      return c.ok() && *c < 0;
    });
    out.values.erase(std::unique(out.values.begin(), out.values.end(),
                                 [](const Literal& a, const Literal& b) {
                                   auto c = CompareLiterals(a, b);
                                   return c.ok() && *c == 0;
                                 }),
                     out.values.end());
    if (out.values.size() == 1) out.op = e.op == ExprOp::kIn ? ExprOp::kEq : ExprOp::kNotEq;
  }
  return out;
}

ExprOp Negate(ExprOp op) {
  switch (op) {
    case ExprOp::kTrue: return ExprOp::kFalse;
    case ExprOp::kFalse: return ExprOp::kTrue;
    case ExprOp::kIsNull: return ExprOp::kNotNull;
    case ExprOp::kNotNull: return ExprOp::kIsNull;
    case ExprOp::kEq: return ExprOp::kNotEq;
    case ExprOp::kNotEq: return ExprOp::kEq;
    case ExprOp::kLt: return ExprOp::kGtEq;
    case ExprOp::kLtEq: return ExprOp::kGt;
    case ExprOp::kGt: return ExprOp::kLtEq;
    case ExprOp::kGtEq: return ExprOp::kLt;
    case ExprOp::kIn: return ExprOp::kNotIn;
    case ExprOp::kNotIn: return ExprOp::kIn;
    default: return op;
  }
}

Expression Rewrite(const Expression& e, bool negate) {
  switch (e.op) {
    case ExprOp::kNot: return Rewrite(e.children[0], !negate);
    case ExprOp::kAnd:
    case ExprOp::kOr: {
      Expression a = Rewrite(e.children[0], negate);
      Expression b = Rewrite(e.children[1], negate);
      bool is_and = (e.op == ExprOp::kAnd) != negate;
      return is_and ? Expression::And(std::move(a), std::move(b))
                    : Expression::Or(std::move(a), std::move(b));
    }
    default: {
      Expression out = e;
      if (negate) out.op = Negate(e.op);
      return out;
    }
  }
}

void CollectIds(const Expression& e, std::set<int32_t>* ids) {
  if (e.is_predicate() && e.bound) ids->insert(e.field_id);
  for (const Expression& c : e.children) CollectIds(c, ids);
}

}  // namespace

Result<Expression> BindExpression(const Expression& unbound, const Schema& schema) {
  return Bind(unbound, schema);
}

Expression RewriteNot(const Expression& expr) { return Rewrite(expr, false); }

std::vector<int32_t> ReferencedFieldIds(const Expression& expr) {
  std::set<int32_t> ids;
  CollectIds(expr, &ids);
  return {ids.begin(), ids.end()};
}

}  // namespace floe::iceberg
