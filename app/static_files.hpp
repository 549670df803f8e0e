// app/static_files.hpp — serves the files under one folder over HTTP (the demo's pages).
//
//   auto files = std::make_shared<sluice::StaticFiles>("app/web");
//   server.http("GET", "/*", [files](sluice::Context& c) { files->serve(c, c.path()); });
//
// What it does, with the RFC 9110 / 9111 section beside each rule:
//   - Content-Type from the file extension (RFC 9110 §8.3), `charset=utf-8` on text types;
//     unknown extensions are application/octet-stream.
//   - Validators: a strong ETag (RFC 9110 §8.8.3), a 64-bit FNV-1a hash of the content
//     in quotes, and Last-Modified (§8.8.2) from the file's mtime in IMF-fixdate (§5.6.7).
//   - Cache-Control: no-cache (RFC 9111 §5.2.2.4): caches may keep the file but must
//     revalidate it, so an edited page shows at once and an unchanged one costs a 304.
//   - Conditional GET/HEAD: If-None-Match (§13.1.2, weak comparison, `*`, lists) answers 304
//     Not Modified without a body (§15.4.5); If-Modified-Since (§13.1.3) is used only when
//     there is no If-None-Match.
//   - Paths are confined to the root: the request path is percent-decoded once, and any
//     ".." segment, backslash, NUL or control character answers 404 (never a file outside
//     the root). "/" and "/dir/" map to index.html.
//   - Only GET and HEAD are served (others: 405 with Allow: GET, HEAD, §15.5.6).
//
// Files are read on first request and cached in memory with their validators; each request
// re-checks the file's size and mtime with one stat() and re-reads a file that changed. The
// read happens on the calling (reactor) thread: fine for a demo's few small pages; a server
// with large or many files would read them off-thread. Thread-safe (one mutex around the cache).
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sluice {

class Context;

// The answer for one request, independent of any connection (so it is unit-testable).
struct StaticResponse {
  int status = 404;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;                                          // empty for 304 (HEAD keeps it: the server
                                                             // drops it but sends its Content-Length)
  std::vector<std::pair<std::string, std::string>> headers;  // ETag, Last-Modified, Cache-Control, Allow
};

// The request fields a lookup reads. Does not own the views: they must outlive lookup().
struct StaticRequest {
  std::string_view method = "GET";
  std::string_view path = "/";
  std::optional<std::string_view> if_none_match = std::nullopt;
  std::optional<std::string_view> if_modified_since = std::nullopt;
};

class StaticFiles {  // Owns its cache of file contents; does not own the folder.
 public:
  explicit StaticFiles(std::string root);

  StaticResponse lookup(const StaticRequest& request) const;
  // lookup() with the context's request, then ctx.set_header(...) and ctx.respond(...).
  // `path` overrides the request path (to serve a page from another route, e.g. "/chat.html").
  void serve(Context& ctx, std::string_view path) const;

  const std::string& root() const noexcept { return root_; }

  static std::string_view content_type_for(std::string_view path) noexcept;
  // RFC 9110 §5.6.7 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  static std::string http_date(std::time_t t);
  static std::optional<std::time_t> parse_http_date(std::string_view text);
  // RFC 9110 §13.1.2: does an If-None-Match field value match this (strong) ETag?
  // Weak comparison: W/"x" matches "x"; "*" matches any.
  static bool etag_matches(std::string_view if_none_match, std::string_view etag);
  // The root-relative file path for a request path, or nullopt when it must not be served.
  static std::optional<std::string> safe_relative_path(std::string_view request_path);

 private:
  struct Entry {
    std::int64_t size = -1;
    std::int64_t mtime_ns = 0;
    std::time_t mtime = 0;
    std::string content;
    std::string etag;
  };
  std::shared_ptr<const Entry> load(const std::string& relative) const;

  std::string root_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, std::shared_ptr<const Entry>> cache_;
};

}  // namespace sluice
