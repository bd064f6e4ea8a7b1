// `floe scan`: the rows of an Iceberg table (deletes applied, filtered by --where) as NDJSON, or
// their count. The table comes from a metadata file or folder (--metadata, the read-only path
// catalog) or from the catalog (--warehouse/--catalog/--table).

#include <cmath>
#include <ostream>

#include "floe/cli/commands.h"
#include "floe/cli/settings.h"
#include "floe/cli/warehouse.h"
#include "floe/iceberg/datetime.h"
#include "floe/iceberg/json_serde.h"
#include "floe/iceberg/row_reader.h"
#include "floe/iceberg/scan.h"

namespace floe::cli {

namespace {

using iceberg::Json;
using iceberg::Literal;

constexpr std::string_view kScanUsage =
    "usage: floe scan [--metadata FILE|DIR | --warehouse DIR --catalog URI --table NS.NAME]\n"
    "                 [--where EXPR] [--count | --limit N]\n"
    "                 [--snapshot-id ID | --as-of TIME] [--json] [--stats]\n"
    "\n"
    "Prints the rows of a table as NDJSON (one JSON object per row, columns by name), position\n"
    "and equality deletes applied. Values use Iceberg's single-value JSON form: numbers as\n"
    "numbers, decimals as strings (\"12.30\"), dates \"2026-01-05\", timestamps\n"
    "\"2026-01-05T13:05:00\" (timestamptz with \"+00:00\"), uuids as text, binary and fixed as\n"
    "hex, NaN and infinities as the strings \"NaN\", \"Infinity\", \"-Infinity\". Nested columns\n"
    "(struct, list, map) are not printed.\n"
    "\n"
    "  --metadata FILE|DIR  a table outside any catalog: its metadata file, its folder, or its\n"
    "                       metadata folder (version-hint.text, else the highest version);\n"
    "                       paths written elsewhere are relocated to where the table is now\n"
    "  --table NS.NAME      a table of the catalog (default analytics.events), with\n"
    "                       --warehouse, --catalog, --catalog-name (see floe --help)\n"
    "  --where EXPR         only rows matching EXPR, e.g. \"type = 'click' AND timestamp >=\n"
    "                       '2026-01-01T00:00:00Z' OR user_id IS NULL\" (docs/cli.md)\n"
    "  --count              print the number of matching rows instead of the rows\n"
    "  --limit N            stop after N rows\n"
    "  --snapshot-id ID     read that snapshot instead of the current one\n"
    "  --as-of TIME         read the snapshot current at TIME (RFC 3339, or epoch milliseconds)\n"
    "  --json               with --count: {\"count\":N,\"snapshot_id\":...}\n"
    "  --stats              print the scan plan's figures (manifests and files read and skipped)\n"
    "                       as one JSON line on stderr\n";

// A row value as JSON; floats that JSON cannot hold become strings.
Json ValueJson(const Literal& v) {
  if (!v.is_null()) {
    double d = 0;
    bool floating = false;
    if (v.type().id == iceberg::TypeId::kFloat) {
      d = v.float_value();
      floating = true;
    } else if (v.type().id == iceberg::TypeId::kDouble) {
      d = v.double_value();
      floating = true;
    }
    if (floating && !std::isfinite(d)) {
      return std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
    }
  }
  return iceberg::LiteralToJson(v);
}

Result<int64_t> ParseAsOf(const std::string& text) {
  bool digits = !text.empty();
  for (char c : text) digits &= (c >= '0' && c <= '9') || (c == '-' && &c == &text[0]);
  if (digits) return std::stoll(text);
  std::string t = text;
  if (t.size() == 10) t += "T00:00:00Z";
  if (t.size() > 10 && t[10] == ' ') t[10] = 'T';
  std::optional<int64_t> micros = iceberg::ParseTimestamp(t, true);
  if (!micros) micros = iceberg::ParseTimestamp(t + "Z", true);
  if (!micros) {
    return Status::InvalidArgument("--as-of \"" + text +
                                   "\" is not a time (2026-01-05T13:05:00Z or epoch milliseconds)");
  }
  return iceberg::FloorDiv(*micros, 1000);
}

Status Scan(const Args& args, const CliContext& ctx) {
  if (args.Has("count") && args.Has("limit")) {
    return Status::InvalidArgument("--count and --limit do not go together");
  }
  if (args.Has("snapshot-id") && args.Has("as-of")) {
    return Status::InvalidArgument("--snapshot-id and --as-of do not go together");
  }
  if (!args.positional().empty()) {
    return Status::InvalidArgument("unexpected argument '" + args.positional()[0] + "'");
  }
  iceberg::ScanOptions options;
  if (args.Has("where")) {
    FLOE_ASSIGN_OR_RETURN(options.filter, iceberg::ParseExpression(args.Get("where")));
  }
  std::optional<int64_t> limit;
  if (args.Has("limit")) {
    std::string text = args.Get("limit");
    char* end = nullptr;
    long long n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n < 0) {
      return Status::InvalidArgument("--limit \"" + text + "\" is not a count (0 or more)");
    }
    limit = n;
  }
  if (args.Has("snapshot-id")) {
    std::string text = args.Get("snapshot-id");
    char* end = nullptr;
    long long id = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') {
      return Status::InvalidArgument("--snapshot-id \"" + text + "\" is not a snapshot id");
    }
    options.snapshot_id = id;
  }
  if (args.Has("as-of")) {
    FLOE_ASSIGN_OR_RETURN(options.as_of_timestamp_ms, ParseAsOf(args.Get("as-of")));
  }

  FLOE_ASSIGN_OR_RETURN(OpenedTable opened, OpenTableForReading(args, ctx));
  options.resolve_path = opened.table.resolver;
  FLOE_ASSIGN_OR_RETURN(iceberg::ScanPlan plan,
                        iceberg::PlanScan(opened.table.metadata, opened.store, options));
  if (args.Has("stats")) {
    const iceberg::ScanStats& s = plan.stats;
    Json j = {{"snapshot_id", plan.snapshot ? Json(plan.snapshot->snapshot_id) : Json(nullptr)},
              {"manifests", s.manifests},
              {"manifests_skipped", s.manifests_skipped},
              {"data_files", s.data_files},
              {"files_skipped_by_partition", s.files_skipped_by_partition},
              {"files_skipped_by_metrics", s.files_skipped_by_metrics},
              {"files_to_read", plan.tasks.size()},
              {"delete_files", s.delete_files},
              {"filter", plan.filter.ToString()}};
    *ctx.err << j.dump() << "\n";
  }
  iceberg::ScanRowReader reader(opened.table.metadata, plan, opened.store);
  if (args.Has("count")) {
    FLOE_ASSIGN_OR_RETURN(int64_t count, reader.CountRows());
    if (args.Has("json")) {
      Json j = {{"count", count},
                {"snapshot_id", plan.snapshot ? Json(plan.snapshot->snapshot_id) : Json(nullptr)}};
      *ctx.out << j.dump() << "\n";
    } else {
      *ctx.out << count << "\n";
    }
    return Status::OK();
  }
  if (limit && *limit == 0) return Status::OK();
  const auto& fields = plan.schema.fields();
  int64_t printed = 0;
  std::string line;
  FLOE_RETURN_IF_ERROR(reader.ForEachRow([&](const std::vector<Literal>& row) {
    Json obj = Json::object();
    for (size_t i = 0; i < fields.size() && i < row.size(); ++i) {
      if (!fields[i].type.is_primitive()) continue;
      obj[fields[i].name] = ValueJson(row[i]);
    }
    line = obj.dump(-1, ' ', false, Json::error_handler_t::replace);
    line += '\n';
    ctx.out->write(line.data(), static_cast<std::streamsize>(line.size()));
    ++printed;
    return !limit || printed < *limit;
  }));
  ctx.out->flush();
  return Status::OK();
}

int RunScan(const Args& args, const CliContext& ctx) {
  Status s = Scan(args, ctx);
  if (!s.ok()) return ReportError(ctx, "scan", s);
  return 0;
}

}  // namespace

void AddScanCommands(std::vector<Command>* commands) {
  commands->push_back(Command{"scan",
                              "rows of a table as NDJSON (filter, count, time travel)",
                              std::string(kScanUsage),
                              {"count", "json", "stats"},
                              RunScan});
}

}  // namespace floe::cli
