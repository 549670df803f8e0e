// app/static_files: content types, validators, 304s and path confinement, without a server.
#include "app/static_files.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

using sluice::StaticFiles;
using sluice::StaticRequest;

namespace {

// A fresh folder under /tmp with a few files; removed at the end of the test.
struct TempRoot {
  std::string path;
  TempRoot() {
    char tmpl[] = "/tmp/sluice-static-XXXXXX";
    path = ::mkdtemp(tmpl);
    ::mkdir((path + "/sub").c_str(), 0700);
    write("index.html", "<h1>home</h1>");
    write("app.js", "console.log(1)");
    write("style.css", "body{}");
    write("sub/index.html", "<p>sub</p>");
    write(".secret", "no");
  }
  ~TempRoot() {
    for (auto f : {"index.html", "app.js", "style.css", "sub/index.html", ".secret", "data.bin"}) {
      ::unlink((path + "/" + f).c_str());
    }
    ::rmdir((path + "/sub").c_str());
    ::rmdir(path.c_str());
  }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path + "/" + name, std::ios::binary) << content;
  }
};

std::string header(const sluice::StaticResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

}  // namespace

TEST_SUITE("app") {

TEST_CASE("RFC 9110 8.3: content types follow the extension, text types say utf-8") {
  CHECK(StaticFiles::content_type_for("/a/index.html") == "text/html; charset=utf-8");
  CHECK(StaticFiles::content_type_for("x.css") == "text/css; charset=utf-8");
  CHECK(StaticFiles::content_type_for("x.js") == "text/javascript; charset=utf-8");
  CHECK(StaticFiles::content_type_for("x.json") == "application/json");
  CHECK(StaticFiles::content_type_for("x.svg") == "image/svg+xml");
  CHECK(StaticFiles::content_type_for("x.png") == "image/png");
  CHECK(StaticFiles::content_type_for("Makefile") == "application/octet-stream");
  CHECK(StaticFiles::content_type_for("x.html.bak") == "application/octet-stream");
}

TEST_CASE("static files: a file is served with its type, ETag, Last-Modified and Cache-Control") {
  TempRoot root;
  StaticFiles files(root.path);
  auto r = files.lookup({.method = "GET", .path = "/app.js"});
  CHECK(r.status == 200);
  CHECK(r.body == "console.log(1)");
  CHECK(r.content_type == "text/javascript; charset=utf-8");
  const std::string etag = header(r, "ETag");
  CHECK(etag.size() == 18);
  CHECK(etag.front() == '"');
  CHECK(header(r, "Cache-Control") == "no-cache");
  CHECK(header(r, "Last-Modified").size() == 29);
  CHECK(files.lookup({.method = "GET", .path = "/"}).body == "<h1>home</h1>");
  CHECK(files.lookup({.method = "GET", .path = "/sub/"}).body == "<p>sub</p>");
  CHECK(files.lookup({.method = "GET", .path = "/app.js?v=2"}).status == 200);
  CHECK(files.lookup({.method = "HEAD", .path = "/app.js"}).status == 200);
}

TEST_CASE("RFC 9110 13.1.2: If-None-Match with the current ETag answers 304 without a body") {
  TempRoot root;
  StaticFiles files(root.path);
  const std::string etag = header(files.lookup({.path = "/style.css"}), "ETag");
  auto r = files.lookup({.method = "GET", .path = "/style.css", .if_none_match = etag});
  CHECK(r.status == 304);
  CHECK(r.body.empty());
  CHECK(header(r, "ETag") == etag);
  CHECK(files.lookup({.path = "/style.css", .if_none_match = "\"other\", " + etag}).status == 304);
  CHECK(files.lookup({.path = "/style.css", .if_none_match = "W/" + etag}).status == 304);
  CHECK(files.lookup({.path = "/style.css", .if_none_match = "*"}).status == 304);
  CHECK(files.lookup({.path = "/style.css", .if_none_match = "\"other\""}).status == 200);
  // If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3).
  CHECK(files.lookup({.path = "/style.css", .if_none_match = "\"other\"",
                      .if_modified_since = "Fri, 01 Jan 2100 00:00:00 GMT"})
            .status == 200);
}

TEST_CASE("RFC 9110 13.1.2: a changed file gets a new ETag and a full response") {
  TempRoot root;
  StaticFiles files(root.path);
  const std::string etag = header(files.lookup({.path = "/app.js"}), "ETag");
  root.write("app.js", "console.log(2); // longer");
  auto r = files.lookup({.path = "/app.js", .if_none_match = etag});
  CHECK(r.status == 200);
  CHECK(r.body == "console.log(2); // longer");
  CHECK(header(r, "ETag") != etag);
}

TEST_CASE("RFC 9110 13.1.3: If-Modified-Since at or after the mtime answers 304") {
  TempRoot root;
  StaticFiles files(root.path);
  const std::string modified = header(files.lookup({.path = "/app.js"}), "Last-Modified");
  CHECK(files.lookup({.path = "/app.js", .if_modified_since = modified}).status == 304);
  CHECK(files.lookup({.path = "/app.js", .if_modified_since = "Fri, 01 Jan 2100 00:00:00 GMT"}).status == 304);
  CHECK(files.lookup({.path = "/app.js", .if_modified_since = "Thu, 01 Jan 1970 00:00:00 GMT"}).status == 200);
  CHECK(files.lookup({.path = "/app.js", .if_modified_since = "yesterday"}).status == 200);
}

TEST_CASE("RFC 9110 5.6.7: IMF-fixdate is written and read back") {
  CHECK(StaticFiles::http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(StaticFiles::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
  CHECK_FALSE(StaticFiles::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
  CHECK_FALSE(StaticFiles::parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
}

TEST_CASE("static files: paths cannot leave the root") {
  TempRoot root;
  StaticFiles files(root.path);
  for (auto bad : {"/../etc/passwd", "/sub/../../x", "/%2e%2e/x", "/sub/%2E%2E/index.html", "/a\\b", "/x%00.html",
                   "/.secret", "//etc/passwd", "relative", "/%zz", "/%2"}) {
    CAPTURE(bad);
    CHECK(files.lookup({.path = bad}).status == 404);
  }
  CHECK(files.lookup({.path = "/missing.html"}).status == 404);
  CHECK(files.lookup({.path = "/sub"}).status == 404);  // a folder is not a file
  CHECK(files.lookup({.path = "/%61pp.js"}).status == 200);  // %61 = 'a'
}

TEST_CASE("RFC 9110 15.5.6: methods other than GET and HEAD get 405 with Allow") {
  TempRoot root;
  StaticFiles files(root.path);
  auto r = files.lookup({.method = "POST", .path = "/app.js"});
  CHECK(r.status == 405);
  CHECK(header(r, "Allow") == "GET, HEAD");
}

}  // TEST_SUITE
