// The REST catalog routes called through the router: config, namespaces, tables, commits
// (requirements, updates, create transactions), errors in the spec's model, and tokens.

#include "floe/server/rest_catalog.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/transaction.h"
#include "floe/io/memory_store.h"
#include "support/forwarding_catalog.h"
#include "support/temp_dir.h"

namespace floe::server {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kSchema[] = R"({"type":"struct","schema-id":0,"fields":[
  {"id":1,"name":"id","type":"long","required":true},
  {"id":2,"name":"ts","type":"timestamptz","required":false}]})";

class RestCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok());
    catalog_ = std::move(*catalog);
    RestCatalogContext ctx;
    ctx.services = TableServices{&store_, catalog_.get(), &clock_, std::nullopt};
    ctx.warehouse = "file:///wh";
    ctx.admin_token = "rw";
    ctx.read_tokens = {"ro1", "ro2"};
    ASSERT_TRUE(AddRestCatalogRoutes(&router_, ctx).ok());
  }

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& token = "rw") {
    HttpRequest request;
    request.method = method;
    request.target = target;
    const size_t q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query = target.substr(q + 1);
    request.body = body;
    if (!token.empty()) request.headers.push_back({"authorization", "Bearer " + token});
    Router::Match match = router_.Find(method, request.path);
    EXPECT_EQ(match.status, 200) << method << " " << target;
    if (match.status != 200) return ErrorResponse(match.status, "no route");
    request.path_params = match.params;
    return match.route->handler(request);
  }

  static Json Body(const HttpResponse& r) { return Json::parse(r.body); }

  // The error model; checks the code matches the status.
  static std::string ErrorType(const HttpResponse& r) {
    Json body = Json::parse(r.body);
    EXPECT_EQ(body["error"]["code"].get<int>(), r.status);
    EXPECT_TRUE(body["error"]["message"].is_string());
    return body["error"]["type"].get<std::string>();
  }

  void MakeNamespace(const std::string& name) {
    ASSERT_EQ(Call("POST", "/catalog/v1/namespaces",
                   R"({"namespace":[")" + name + R"("],"properties":{"owner":"me"}})")
                  .status,
              200);
  }

  Json MakeTable(const std::string& ns, const std::string& name) {
    HttpResponse r = Call("POST", "/catalog/v1/namespaces/" + ns + "/tables",
                          R"({"name":")" + name + R"(","schema":)" + kSchema +
                              R"(,"partition-spec":{"fields":[{"source-id":2,"name":"ts_day",
                              "transform":"day"}]},"properties":{"k":"v"}})");
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  std::string Pointer(const std::string& ns, const std::string& name) {
    auto p = catalog_->LoadTable(TableIdentifier{{ns}, name});
    return p.ok() ? p->metadata_location : "";
  }

  floe::testing::TempDir dir_;
  FakeClock clock_{1'700'000'000'000'000};
  MemoryStore store_{&clock_};
  std::unique_ptr<SqlCatalog> catalog_;
  Router router_;
};

TEST_F(RestCatalogTest, ConfigAdvertisesEndpoints) {
  HttpResponse r = Call("GET", "/catalog/v1/config");
  ASSERT_EQ(r.status, 200);
  Json body = Body(r);
  EXPECT_TRUE(body["defaults"].is_object());
  EXPECT_TRUE(body["overrides"].is_object());
  bool commit = false;
  for (const Json& e : body["endpoints"]) {
    commit |= e == "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}";
  }
  EXPECT_TRUE(commit);
}

TEST_F(RestCatalogTest, TokensReadOnlyAndMissing) {
  HttpResponse none = Call("GET", "/catalog/v1/namespaces", "", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(ErrorType(none), "NotAuthorizedException");
  EXPECT_EQ(Call("GET", "/catalog/v1/namespaces", "", "wrong").status, 401);
  EXPECT_EQ(Call("GET", "/catalog/v1/namespaces", "", "ro2").status, 200);
  HttpResponse denied = Call("POST", "/catalog/v1/namespaces", R"({"namespace":["x"]})", "ro1");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(ErrorType(denied), "ForbiddenException");
  EXPECT_EQ(Call("GET", "/catalog/v1/namespaces/x", "", "rw").status, 404);  // nothing created
  MakeNamespace("db");
  MakeTable("db", "t");
  EXPECT_EQ(Call("DELETE", "/catalog/v1/namespaces/db/tables/t", "", "ro1").status, 403);
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces/db/tables/t", "{}", "ro1").status, 403);
  EXPECT_EQ(Call("GET", "/catalog/v1/namespaces/db/tables/t", "", "ro1").status, 200);
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces/db/tables/t/metrics", "{}", "ro1").status, 204);
}

TEST_F(RestCatalogTest, Namespaces) {
  MakeNamespace("db");
  HttpResponse again = Call("POST", "/catalog/v1/namespaces", R"({"namespace":["db"]})");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(ErrorType(again), "AlreadyExistsException");
  ASSERT_EQ(Call("POST", "/catalog/v1/namespaces", R"({"namespace":["db","sub"]})").status, 200);
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces", R"({"namespace":"db"})").status, 400);
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces", "not json").status, 400);

  EXPECT_EQ(Body(Call("GET", "/catalog/v1/namespaces"))["namespaces"], Json::parse(R"([["db"]])"));
  EXPECT_EQ(Body(Call("GET", "/catalog/v1/namespaces?parent=db"))["namespaces"],
            Json::parse(R"([["db","sub"]])"));
  HttpResponse no_parent = Call("GET", "/catalog/v1/namespaces?parent=nope");
  EXPECT_EQ(no_parent.status, 404);
  EXPECT_EQ(ErrorType(no_parent), "NoSuchNamespaceException");

  HttpResponse loaded = Call("GET", "/catalog/v1/namespaces/db");
  ASSERT_EQ(loaded.status, 200);
  EXPECT_EQ(Body(loaded)["properties"]["owner"], "me");
  EXPECT_EQ(Body(Call("GET", "/catalog/v1/namespaces/db%1Fsub"))["namespace"],
            Json::parse(R"(["db","sub"])"));
  EXPECT_EQ(Call("HEAD", "/catalog/v1/namespaces/db").status, 204);
  HttpResponse missing = Call("HEAD", "/catalog/v1/namespaces/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.empty());

  HttpResponse props = Call("POST", "/catalog/v1/namespaces/db/properties",
                            R"({"updates":{"a":"1"},"removals":["owner","ghost"]})");
  ASSERT_EQ(props.status, 200) << props.body;
  EXPECT_EQ(Body(props)["updated"], Json::parse(R"(["a"])"));
  EXPECT_EQ(Body(props)["removed"], Json::parse(R"(["owner"])"));
  EXPECT_EQ(Body(props)["missing"], Json::parse(R"(["ghost"])"));
  EXPECT_EQ(Body(Call("GET", "/catalog/v1/namespaces/db"))["properties"],
            Json::parse(R"({"a":"1"})"));
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces/db/properties",
                 R"({"updates":{"a":"2"},"removals":["a"]})")
                .status,
            422);

  HttpResponse not_empty = Call("DELETE", "/catalog/v1/namespaces/db");
  EXPECT_EQ(not_empty.status, 409);
  EXPECT_EQ(ErrorType(not_empty), "NamespaceNotEmptyException");
  EXPECT_EQ(Call("DELETE", "/catalog/v1/namespaces/db%1Fsub").status, 204);
  EXPECT_EQ(Call("DELETE", "/catalog/v1/namespaces/db").status, 204);
  EXPECT_EQ(Call("DELETE", "/catalog/v1/namespaces/db").status, 404);
}

TEST_F(RestCatalogTest, CreateLoadListDropTables) {
  MakeNamespace("db");
  Json created = MakeTable("db", "t");
  const std::string location = created["metadata-location"];
  EXPECT_EQ(location, Pointer("db", "t"));
  EXPECT_EQ(created["metadata"]["location"], "file:///wh/db/t");
  EXPECT_EQ(created["metadata"]["properties"]["k"], "v");
  EXPECT_EQ(created["metadata"]["partition-specs"][0]["fields"][0]["field-id"], 1000);
  EXPECT_TRUE(store_.Stat(location).ok());

  HttpResponse dup = Call("POST", "/catalog/v1/namespaces/db/tables",
                          R"({"name":"t","schema":)" + std::string(kSchema) + "}");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(ErrorType(dup), "AlreadyExistsException");
  HttpResponse no_ns = Call("POST", "/catalog/v1/namespaces/nope/tables",
                            R"({"name":"t","schema":)" + std::string(kSchema) + "}");
  EXPECT_EQ(no_ns.status, 404);
  EXPECT_EQ(ErrorType(no_ns), "NoSuchNamespaceException");
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces/db/tables", R"({"name":"u"})").status, 400);
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces/db/tables",
                 R"({"name":"u","schema":{"type":"struct","fields":[{"id":1}]}})")
                .status,
            400);

  HttpResponse placed = Call(
      "POST", "/catalog/v1/namespaces/db/tables",
      R"({"name":"p","location":"file:///elsewhere/p","schema":)" + std::string(kSchema) + "}");
  ASSERT_EQ(placed.status, 200) << placed.body;
  EXPECT_EQ(Body(placed)["metadata"]["location"], "file:///elsewhere/p");

  HttpResponse staged =
      Call("POST", "/catalog/v1/namespaces/db/tables",
           R"({"name":"s","stage-create":true,"schema":)" + std::string(kSchema) + "}");
  ASSERT_EQ(staged.status, 200) << staged.body;
  EXPECT_TRUE(Body(staged)["metadata-location"].is_null());
  EXPECT_EQ(Pointer("db", "s"), "");

  HttpResponse list = Call("GET", "/catalog/v1/namespaces/db/tables");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Body(list)["identifiers"],
            Json::parse(R"([{"namespace":["db"],"name":"p"},{"namespace":["db"],"name":"t"}])"));
  EXPECT_EQ(Call("GET", "/catalog/v1/namespaces/nope/tables").status, 404);

  HttpResponse loaded = Call("GET", "/catalog/v1/namespaces/db/tables/t");
  ASSERT_EQ(loaded.status, 200);
  EXPECT_EQ(Body(loaded)["metadata-location"], location);
  EXPECT_EQ(Body(loaded)["metadata"], created["metadata"]);
  EXPECT_TRUE(Body(loaded)["config"].is_object());
  HttpResponse missing = Call("GET", "/catalog/v1/namespaces/db/tables/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorType(missing), "NoSuchTableException");
  EXPECT_EQ(Call("HEAD", "/catalog/v1/namespaces/db/tables/t").status, 204);
  EXPECT_EQ(Call("HEAD", "/catalog/v1/namespaces/db/tables/nope").status, 404);

  EXPECT_EQ(Call("DELETE", "/catalog/v1/namespaces/db/tables/t").status, 204);
  EXPECT_TRUE(store_.Stat(location).ok());  // without purge the files stay
  EXPECT_EQ(Call("DELETE", "/catalog/v1/namespaces/db/tables/t").status, 404);
  EXPECT_EQ(Call("DELETE", "/catalog/v1/namespaces/db/tables/p?purgeRequested=true").status, 204);
  EXPECT_FALSE(store_.Stat(Body(placed)["metadata-location"].get<std::string>()).ok());
}

TEST_F(RestCatalogTest, RenameAndRegister) {
  MakeNamespace("db");
  MakeNamespace("other");
  Json created = MakeTable("db", "t");
  EXPECT_EQ(Call("POST", "/catalog/v1/tables/rename",
                 R"({"source":{"namespace":["db"],"name":"t"},
                     "destination":{"namespace":["other"],"name":"t2"}})")
                .status,
            204);
  EXPECT_EQ(Pointer("other", "t2"), created["metadata-location"]);
  HttpResponse gone = Call("POST", "/catalog/v1/tables/rename",
                           R"({"source":{"namespace":["db"],"name":"t"},
                               "destination":{"namespace":["other"],"name":"t3"}})");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(ErrorType(gone), "NoSuchTableException");
  HttpResponse no_ns = Call("POST", "/catalog/v1/tables/rename",
                            R"({"source":{"namespace":["other"],"name":"t2"},
                                "destination":{"namespace":["nope"],"name":"t3"}})");
  EXPECT_EQ(no_ns.status, 404);
  EXPECT_EQ(ErrorType(no_ns), "NoSuchNamespaceException");

  const std::string metadata = created["metadata-location"];
  HttpResponse registered = Call("POST", "/catalog/v1/namespaces/db/register",
                                 R"({"name":"again","metadata-location":")" + metadata + "\"}");
  ASSERT_EQ(registered.status, 200) << registered.body;
  EXPECT_EQ(Body(registered)["metadata-location"], metadata);
  EXPECT_EQ(Pointer("db", "again"), metadata);
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces/db/register",
                 R"({"name":"again","metadata-location":")" + metadata + "\"}")
                .status,
            409);
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces/db/register",
                 R"({"name":"bad","metadata-location":"file:///nowhere.metadata.json"})")
                .status,
            400);
}

// Forwards to a real catalog; before the first CommitTable it lets `race` commit first, so that
// commit loses its compare-and-swap.
class RacingCatalog : public testing::ForwardingCatalog {
 public:
  RacingCatalog(Catalog* inner, std::function<void()> race)
      : ForwardingCatalog(inner), race_(std::move(race)) {}
  Status CommitTable(const TableIdentifier& id, const std::string& expected,
                     const std::string& next) override {
    ++commits;
    if (race_) std::exchange(race_, nullptr)();
    return inner_->CommitTable(id, expected, next);
  }
  int commits = 0;

 private:
  std::function<void()> race_;
};

TEST_F(RestCatalogTest, LostSwapIsRetriedOnlyWhileRequirementsHold) {
  MakeNamespace("db");
  Json created = MakeTable("db", "t");
  const std::string uuid = created["metadata"]["table-uuid"];
  TableServices direct{&store_, catalog_.get(), &clock_, std::nullopt};
  auto other_writer = [&] {
    auto table = Table::Load(direct, TableIdentifier{{"db"}, "t"});
    ASSERT_TRUE(table.ok());
    ASSERT_TRUE((*table)->NewTransaction().SetProperty("other", "1").Commit().ok());
  };
  RestCatalogContext ctx;
  ctx.admin_token = "rw";

  // Only the uuid is asserted: after losing the swap the commit is rebuilt on the new metadata.
  RacingCatalog racing(catalog_.get(), other_writer);
  ctx.services = TableServices{&store_, &racing, &clock_, std::nullopt};
  Router router;
  ASSERT_TRUE(AddRestCatalogRoutes(&router, ctx).ok());
  HttpRequest request;
  request.method = "POST";
  request.path = request.target = "/catalog/v1/namespaces/db/tables/t";
  request.headers.push_back({"authorization", "Bearer rw"});
  request.body = R"({"requirements":[{"type":"assert-table-uuid","uuid":")" + uuid +
                 R"("}],"updates":[{"action":"set-properties","updates":{"mine":"1"}}]})";
  Router::Match match = router.Find("POST", request.path);
  ASSERT_EQ(match.status, 200);
  request.path_params = match.params;
  HttpResponse r = match.route->handler(request);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(racing.commits, 2);
  EXPECT_EQ(Body(r)["metadata"]["properties"]["other"], "1");
  EXPECT_EQ(Body(r)["metadata"]["properties"]["mine"], "1");
  EXPECT_EQ(Body(r)["metadata-location"], Pointer("db", "t"));

  // The default spec is asserted and the racing writer changes it: 409, its change stays.
  auto spec_writer = [&] {
    auto table = Table::Load(direct, TableIdentifier{{"db"}, "t"});
    ASSERT_TRUE(table.ok());
    ASSERT_TRUE((*table)->NewTransaction().SetDefaultSpec(iceberg::PartitionSpec{}).Commit().ok());
  };
  RacingCatalog racing2(catalog_.get(), spec_writer);
  ctx.services.catalog = &racing2;
  Router router2;
  ASSERT_TRUE(AddRestCatalogRoutes(&router2, ctx).ok());
  request.body = R"({"requirements":[{"type":"assert-default-spec-id","default-spec-id":0}],
                     "updates":[{"action":"set-properties","updates":{"late":"1"}}]})";
  const std::string before_race = Pointer("db", "t");
  r = router2.Find("POST", request.path).route->handler(request);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(ErrorType(r), "CommitFailedException");
  EXPECT_NE(Pointer("db", "t"), before_race);  // the racing writer's spec change landed
  auto now = ReadTableMetadata(&store_, Pointer("db", "t"));
  ASSERT_TRUE(now.ok());
  EXPECT_FALSE(now->properties.contains("late"));
}

Json Snapshot(int64_t id, std::optional<int64_t> parent, int64_t seq) {
  Json s;
  s["snapshot-id"] = id;
  if (parent) s["parent-snapshot-id"] = *parent;
  s["sequence-number"] = seq;
  s["timestamp-ms"] = 1'700'000'000'000 + seq;
  s["manifest-list"] = "file:///wh/db/t/metadata/snap-" + std::to_string(id) + ".avro";
  s["summary"] = {{"operation", "append"}};
  s["schema-id"] = 0;
  return s;
}

TEST_F(RestCatalogTest, CommitAppliesUpdatesAndChecksRequirements) {
  MakeNamespace("db");
  Json created = MakeTable("db", "t");
  const std::string uuid = created["metadata"]["table-uuid"];
  const std::string first = created["metadata-location"];

  Json commit;
  commit["requirements"] = Json::array(
      {{{"type", "assert-table-uuid"}, {"uuid", uuid}},
       {{"type", "assert-ref-snapshot-id"}, {"ref", "main"}, {"snapshot-id", nullptr}}});
  commit["updates"] =
      Json::array({{{"action", "add-snapshot"}, {"snapshot", Snapshot(11, std::nullopt, 1)}},
                   {{"action", "set-snapshot-ref"},
                    {"ref-name", "main"},
                    {"type", "branch"},
                    {"snapshot-id", 11}},
                   {{"action", "set-properties"}, {"updates", {{"a", "1"}}}},
                   {{"action", "remove-properties"}, {"removals", {"k"}}}});
  HttpResponse r = Call("POST", "/catalog/v1/namespaces/db/tables/t", commit.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  Json md = Body(r)["metadata"];
  const std::string second = Body(r)["metadata-location"];
  EXPECT_EQ(second, Pointer("db", "t"));
  EXPECT_NE(second.find("/metadata/00001-"), std::string::npos) << second;
  EXPECT_EQ(md["current-snapshot-id"], 11);
  EXPECT_EQ(md["last-sequence-number"], 1);
  EXPECT_EQ(md["refs"]["main"]["snapshot-id"], 11);
  EXPECT_EQ(md["properties"], Json::parse(R"({"a":"1"})"));
  EXPECT_EQ(md["metadata-log"][0]["metadata-file"], first);
  EXPECT_EQ(md["snapshot-log"].size(), 1u);
  auto stored = ReadTableMetadata(&store_, second);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->current_snapshot_id, 11);

  // The same requirement is stale now: 409 and nothing changes.
  commit["updates"][0]["snapshot"] = Snapshot(12, std::nullopt, 2);
  commit["updates"][1]["snapshot-id"] = 12;
  HttpResponse stale = Call("POST", "/catalog/v1/namespaces/db/tables/t", commit.dump());
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(ErrorType(stale), "CommitFailedException");
  EXPECT_EQ(Pointer("db", "t"), second);
  HttpResponse wrong_uuid = Call(
      "POST", "/catalog/v1/namespaces/db/tables/t",
      R"({"requirements":[{"type":"assert-table-uuid","uuid":"00000000-0000-0000-0000-000000000000"}],
          "updates":[]})");
  EXPECT_EQ(wrong_uuid.status, 409);

  // Every other assert-* against the current values passes.
  Json asserts;
  asserts["requirements"] = Json::array(
      {{{"type", "assert-ref-snapshot-id"}, {"ref", "main"}, {"snapshot-id", 11}},
       {{"type", "assert-last-assigned-field-id"}, {"last-assigned-field-id", 2}},
       {{"type", "assert-current-schema-id"}, {"current-schema-id", 0}},
       {{"type", "assert-last-assigned-partition-id"}, {"last-assigned-partition-id", 1000}},
       {{"type", "assert-default-spec-id"}, {"default-spec-id", 0}},
       {{"type", "assert-default-sort-order-id"}, {"default-sort-order-id", 0}}});
  asserts["updates"] = Json::array({{{"action", "add-snapshot"}, {"snapshot", Snapshot(12, 11, 2)}},
                                    {{"action", "set-snapshot-ref"},
                                     {"ref-name", "main"},
                                     {"type", "branch"},
                                     {"snapshot-id", 12}},
                                    {{"action", "set-snapshot-ref"},
                                     {"ref-name", "tag1"},
                                     {"type", "tag"},
                                     {"snapshot-id", 11}}});
  r = Call("POST", "/catalog/v1/namespaces/db/tables/t", asserts.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["metadata"]["refs"]["tag1"]["type"], "tag");
  for (size_t i = 1; i < asserts["requirements"].size(); ++i) {
    Json one = asserts;
    one["updates"] = Json::array();
    one["requirements"] = Json::array({asserts["requirements"][i]});
    for (auto& [key, value] : one["requirements"][0].items()) {
      if (key != "type") value = 77;
    }
    EXPECT_EQ(Call("POST", "/catalog/v1/namespaces/db/tables/t", one.dump()).status, 409)
        << one.dump();
  }

  // Expiry: remove-snapshot-ref and remove-snapshots.
  r = Call("POST", "/catalog/v1/namespaces/db/tables/t",
           R"({"updates":[{"action":"remove-snapshot-ref","ref-name":"tag1"},
                          {"action":"remove-snapshots","snapshot-ids":[11]}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["metadata"]["snapshots"].size(), 1u);
  EXPECT_FALSE(Body(r)["metadata"]["refs"].contains("tag1"));
}

TEST_F(RestCatalogTest, SchemaSpecOrderLocationAndVersionUpdates) {
  MakeNamespace("db");
  MakeTable("db", "t");
  HttpResponse r = Call("POST", "/catalog/v1/namespaces/db/tables/t", R"({"updates":[
    {"action":"add-schema","schema":{"type":"struct","schema-id":1,"fields":[
      {"id":1,"name":"id","type":"long","required":true},
      {"id":2,"name":"ts","type":"timestamptz","required":false},
      {"id":3,"name":"msg","type":"string","required":false}]},"last-column-id":3},
    {"action":"set-current-schema","schema-id":-1},
    {"action":"add-spec","spec":{"fields":[{"source-id":3,"name":"msg_b","transform":"bucket[4]"}]}},
    {"action":"set-default-spec","spec-id":-1},
    {"action":"add-sort-order","sort-order":{"order-id":1,"fields":[
      {"source-id":1,"transform":"identity","direction":"asc","null-order":"nulls-first"}]}},
    {"action":"set-default-sort-order","sort-order-id":-1},
    {"action":"set-location","location":"file:///wh/db/t2"},
    {"action":"upgrade-format-version","format-version":2}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  Json md = Body(r)["metadata"];
  EXPECT_EQ(md["current-schema-id"], 1);
  EXPECT_EQ(md["last-column-id"], 3);
  EXPECT_EQ(md["default-spec-id"], 1);
  EXPECT_EQ(md["last-partition-id"], 1001);
  EXPECT_EQ(md["default-sort-order-id"], 1);
  EXPECT_EQ(md["location"], "file:///wh/db/t2");

  for (
      const char* bad : {
          R"({"updates":[{"action":"upgrade-format-version","format-version":1}]})",
          R"({"updates":[{"action":"set-current-schema","schema-id":9}]})",
          R"({"updates":[{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":5}]})",
          R"({"updates":[{"action":"set-statistics-typo"}]})",
          R"({"requirements":[{"type":"assert-nothing"}]})",
          R"({"updates":"x"})",
      }) {
    HttpResponse e = Call("POST", "/catalog/v1/namespaces/db/tables/t", bad);
    EXPECT_EQ(e.status, 400) << bad << " " << e.body;
    EXPECT_EQ(ErrorType(e), "BadRequestException");
  }
  HttpResponse missing = Call("POST", "/catalog/v1/namespaces/db/tables/nope", R"({"updates":[]})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorType(missing), "NoSuchTableException");
}

TEST_F(RestCatalogTest, CreateTransactionAndTransactionsCommit) {
  MakeNamespace("db");
  Json commit = Json::parse(std::string(R"({"requirements":[{"type":"assert-create"}],"updates":[
    {"action":"assign-uuid","uuid":"2A5C6D39-1B4E-4F6A-9C1D-0E2F3A4B5C6D"},
    {"action":"upgrade-format-version","format-version":2},
    {"action":"add-schema","schema":)") +
                            kSchema + R"(},
    {"action":"set-current-schema","schema-id":-1},
    {"action":"add-spec","spec":{"spec-id":0,"fields":[]}},
    {"action":"set-default-spec","spec-id":-1},
    {"action":"add-sort-order","sort-order":{"order-id":0,"fields":[]}},
    {"action":"set-default-sort-order","sort-order-id":-1},
    {"action":"set-properties","updates":{"created":"by-txn"}}]})");
  HttpResponse r = Call("POST", "/catalog/v1/namespaces/db/tables/new", commit.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["metadata"]["table-uuid"], "2a5c6d39-1b4e-4f6a-9c1d-0e2f3a4b5c6d");
  EXPECT_EQ(Body(r)["metadata"]["location"], "file:///wh/db/new");
  EXPECT_EQ(Pointer("db", "new"), Body(r)["metadata-location"]);
  EXPECT_EQ(Call("POST", "/catalog/v1/namespaces/db/tables/new", commit.dump()).status, 409);

  Json txn;
  txn["table-changes"] = Json::array(
      {{{"identifier", {{"namespace", {"db"}}, {"name", "new"}}},
        {"requirements", Json::array()},
        {"updates", Json::parse(R"([{"action":"set-properties","updates":{"x":"y"}}])")}}});
  EXPECT_EQ(Call("POST", "/catalog/v1/transactions/commit", txn.dump()).status, 204);
  EXPECT_EQ(
      Body(Call("GET", "/catalog/v1/namespaces/db/tables/new"))["metadata"]["properties"]["x"],
      "y");
  txn["table-changes"].push_back(txn["table-changes"][0]);
  EXPECT_EQ(Call("POST", "/catalog/v1/transactions/commit", txn.dump()).status, 406);
  EXPECT_EQ(Call("POST", "/catalog/v1/transactions/commit", R"({"table-changes":[{}]})").status,
            400);
}

}  // namespace
}  // namespace floe::server
