#include "app/static_files.hpp"

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/context.hpp"

namespace sluice {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string fnv1a_etag(std::string_view data) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string_view StaticFiles::content_type_for(std::string_view path) noexcept {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},       {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},         {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},  {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},       {".svg", "image/svg+xml"},
      {".png", "image/png"},                       {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},                     {".gif", "image/gif"},
      {".ico", "image/x-icon"},                    {".webp", "image/webp"},
      {".wasm", "application/wasm"},               {".woff2", "font/woff2"},
  };
  for (const auto& t : kTypes) {
    if (ends_with(path, t.ext)) return t.type;
  }
  return "application/octet-stream";
}

std::string StaticFiles::http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[static_cast<std::size_t>(tm.tm_wday)].data(),
                tm.tm_mday, kMonths[static_cast<std::size_t>(tm.tm_mon)].data(), tm.tm_year + 1900, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<std::time_t> StaticFiles::parse_http_date(std::string_view s) {
  // IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"); RFC 9110 §5.6.7 lets a recipient
  // ignore the obsolete forms for If-Modified-Since (the condition is then not applied).
  s = trim(s);
  if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return std::nullopt;
  auto num = [&](std::size_t at, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  std::tm tm{};
  tm.tm_mday = num(5, 2);
  tm.tm_mon = -1;
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    if (s.substr(8, 3) == kMonths[m]) tm.tm_mon = static_cast<int>(m);
  }
  tm.tm_year = num(12, 4) - 1900;
  tm.tm_hour = num(17, 2);
  tm.tm_min = num(20, 2);
  tm.tm_sec = num(23, 2);
  if (tm.tm_mday < 1 || tm.tm_mon < 0 || tm.tm_year < 0 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0 ||
      s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':') {
    return std::nullopt;
  }
  return timegm(&tm);
}

bool StaticFiles::etag_matches(std::string_view field, std::string_view etag) {
  // Weak comparison (RFC 9110 §8.8.3.2): opaque-tags equal, W/ prefixes ignored.
  auto opaque = [](std::string_view t) {
    if (t.substr(0, 2) == "W/") t.remove_prefix(2);
    return t;
  };
  const std::string_view mine = opaque(etag);
  while (!field.empty()) {
    const std::size_t comma = field.find(',');
    const std::string_view item = trim(field.substr(0, comma));
    if (item == "*" || (!item.empty() && opaque(item) == mine)) return true;
    if (comma == std::string_view::npos) break;
    field.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<std::string> StaticFiles::safe_relative_path(std::string_view request_path) {
  const std::size_t q = request_path.find_first_of("?#");
  if (q != std::string_view::npos) request_path = request_path.substr(0, q);
  if (request_path.empty() || request_path.front() != '/') return std::nullopt;
  std::string decoded;
  for (std::size_t i = 0; i < request_path.size(); ++i) {
    char c = request_path[i];
    if (c == '%') {
      if (i + 2 >= request_path.size()) return std::nullopt;
      const int hi = hex_value(request_path[i + 1]);
      const int lo = hex_value(request_path[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') return std::nullopt;
    decoded.push_back(c);
  }
  // Reject "." and ".." segments and empty segments in the middle ("//").
  std::string out;
  std::size_t at = 1;
  while (at <= decoded.size()) {
    const std::size_t slash = std::min(decoded.find('/', at), decoded.size());
    const std::string_view seg = std::string_view(decoded).substr(at, slash - at);
    if (seg == "." || seg == "..") return std::nullopt;
    if (seg.empty() && slash != decoded.size()) return std::nullopt;
    if (!seg.empty()) {
      if (seg.front() == '.') return std::nullopt;  // no dotfiles
      if (!out.empty()) out.push_back('/');
      out.append(seg);
    }
    at = slash + 1;
  }
  if (decoded.back() == '/') out += out.empty() ? "index.html" : "/index.html";
  return out;
}

std::shared_ptr<const StaticFiles::Entry> StaticFiles::load(const std::string& relative) const {
  const std::string full = root_ + "/" + relative;
  struct stat st {};
  if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  const std::int64_t mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(relative);
    if (it != cache_.end() && it->second->size == st.st_size && it->second->mtime_ns == mtime_ns) return it->second;
  }
  std::ifstream in(full, std::ios::binary);
  if (!in) return nullptr;
  std::ostringstream all;
  all << in.rdbuf();
  auto entry = std::make_shared<Entry>();
  entry->content = all.str();
  entry->size = st.st_size;
  entry->mtime_ns = mtime_ns;
  entry->mtime = st.st_mtim.tv_sec;
  entry->etag = fnv1a_etag(entry->content);
  std::lock_guard lock(mutex_);
  cache_[relative] = entry;
  return entry;
}

StaticResponse StaticFiles::lookup(const StaticRequest& request) const {
  StaticResponse r;
  if (request.method != "GET" && request.method != "HEAD") {
    r.status = 405;
    r.body = "method not allowed\n";
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const auto relative = safe_relative_path(request.path);
  std::shared_ptr<const Entry> entry = relative ? load(*relative) : nullptr;
  if (!entry) {
    r.status = 404;
    r.body = "not found\n";
    return r;
  }
  r.headers.emplace_back("ETag", entry->etag);
  r.headers.emplace_back("Last-Modified", http_date(entry->mtime));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.content_type = std::string(content_type_for(*relative));
  bool not_modified = false;
  if (request.if_none_match) {
    not_modified = etag_matches(*request.if_none_match, entry->etag);
  } else if (request.if_modified_since) {
    const auto since = parse_http_date(*request.if_modified_since);
    not_modified = since && entry->mtime <= *since;
  }
  if (not_modified) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.body = entry->content;
  return r;
}

void StaticFiles::serve(Context& ctx, std::string_view path) const {
  StaticRequest req;
  req.method = ctx.method();
  req.path = path;
  req.if_none_match = ctx.header("If-None-Match");
  req.if_modified_since = ctx.header("If-Modified-Since");
  StaticResponse r = lookup(req);
  for (const auto& [name, value] : r.headers) ctx.set_header(name, value);
  ctx.respond(r.status, r.body, r.content_type);
}

}  // namespace sluice
