#pragma once

// The Iceberg REST catalog (FORMAT_NOTES §9, docs/rest-catalog.md) under /catalog: clients are
// configured with the base URI http://HOST:PORT/catalog and call /catalog/v1/config,
// /catalog/v1/namespaces/..., /catalog/v1/tables/rename and /catalog/v1/transactions/commit.
// Commits swap the catalog pointer with the same compare-and-swap floe's own commits use, so
// external engines, the collector and maintenance can share a table.
//
// Auth: `Authorization: Bearer <token>`; `admin_token` may do anything, `read_tokens` may only
// read (and post metrics reports): a mutating route answers 403 to them, 401 to anything else.
// Tokens from the OAuth2 token endpoint (rest_oauth.h) count as their client's kind.
// Errors use the spec's model {"error": {"message", "type", "code"}}.

#include <string>
#include <vector>

#include "floe/catalog/table.h"
#include "floe/common/logger.h"
#include "floe/common/status.h"
#include "floe/server/rest_oauth.h"
#include "floe/server/router.h"

namespace floe::server {

struct RestCatalogContext {
  // Store, catalog and clock; must outlive the router's server.
  TableServices services;
  // Where tables created without a location go: <warehouse>/<ns levels>/<name>.
  std::string warehouse;
  std::string admin_token;               // read-write (ADMIN_TOKEN); empty: none
  std::vector<std::string> read_tokens;  // read-only (FLOE_CATALOG_READ_TOKENS)
  // Tokens issued by POST /catalog/v1/oauth/tokens (rest_oauth.h), read-write or read-only as
  // their client is; null: none.
  const OAuthTokens* oauth = nullptr;
  Logger* logger = nullptr;  // server errors (500) are logged here when set
};

// The route prefix clients put before /v1.
inline constexpr const char* kRestCatalogPrefix = "/catalog";

// Registers every REST catalog route. kInvalidArgument when the context has no store, catalog or
// clock, or a route clashes with one already registered.
Status AddRestCatalogRoutes(Router* router, RestCatalogContext context);

}  // namespace floe::server
